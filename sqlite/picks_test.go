package sqlite_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"confcal/sqlite"
)

func TestPicksSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"opening-keynote", "late-talk"}
	if err := st.PutPick(ctx, "abcdefgh23456722", want); err != nil {
		t.Fatal(err)
	}
	if err := st.PutPick(ctx, "abcdefgh23456722", []string{"other"}); !errors.Is(err, sqlite.ErrCodeTaken) {
		t.Errorf("PutPick on a taken code = %v, want ErrCodeTaken", err)
	}
	if err := st.PutPick(ctx, "zzzzzzzzzzzzzzzz", []string{"a,b"}); err == nil {
		t.Error("PutPick accepted an ID with a comma")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, ok, err := st.GetPick(ctx, "abcdefgh23456722")
	if err != nil || !ok || !slices.Equal(got, want) {
		t.Errorf("GetPick after reopen = %v, %v, %v; want %v", got, ok, err, want)
	}
	if _, ok, err := st.GetPick(ctx, "unknownunknown22"); ok || err != nil {
		t.Errorf("GetPick(unknown) = %v, %v; want not found, no error", ok, err)
	}
}
