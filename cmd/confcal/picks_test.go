package main

import (
	"context"
	"errors"
	"slices"
	"testing"

	"confcal/page"
	"confcal/sqlite"
)

func TestStorePicksSurviveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"welcome-session", "apache-flink-worst-practices"}
	code, err := storePicks{st}.Save(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if !page.ValidCode(code) {
		t.Errorf("code %q is not a valid pick code", code)
	}
	if _, err := (storePicks{st}).Save(ctx, nil); err == nil {
		t.Error("an empty pick was stored")
	}
	st.Close()

	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := storePicks{st}.Load(ctx, code)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Load(%q) after restart = %v, %v; want %v", code, got, err, want)
	}
	if _, err := (storePicks{st}).Load(ctx, "aaaaaaaaaaaaaaaa"); !errors.Is(err, page.ErrUnknownPick) {
		t.Errorf("Load(unknown) err = %v, want ErrUnknownPick", err)
	}
}
