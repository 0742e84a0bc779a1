package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"confcal/agenda"
	"confcal/agenda/memstore"
	"confcal/seeds"
	"confcal/web"
)

// FuzzImport runs `confcal import` on any agenda file against a running
// server's admin API (fresh, holding the Flink Forward Berlin 2019 agenda,
// every time): the command never panics; a file the seed parser refuses is
// reported with its name and line, and never reaches the server; the
// server never answers 5xx; an import that fails leaves the agenda as it
// was, and only without -force may it fail for cancelling too many
// sessions; and an import that succeeded, run again, has nothing left to
// change.
func FuzzImport(f *testing.F) {
	// Small files fuzz well: the seeds are an excerpt of the real agenda,
	// the two keynotes of October 9, and edits of
	// it. Importing the excerpt cancels every other session, which only
	// -force allows.
	morning := excerpt(f, "Keynote: Customer Journey with streaming data on AWS\nOctober 9", "\nKeynote\n", 2)
	f.Add(morning, false, false)
	f.Add(morning, false, true)
	f.Add(morning, true, true)
	f.Add(bytes.Replace(morning, []byte("9:30 am - 10:15 am45min"), []byte("9:40 am - 10:15 am35min"), 1), false, true) // retimed
	f.Add(bytes.Replace(morning, []byte("Keynote: Customer Journey"), []byte("Keynote: A Customer Journey"), -1), false, true)
	f.Add(morning[:len(morning)/2], false, true)                                     // cut short
	f.Add([]byte("Talk\nOctober 12: 9:00am - 9:40am40minOtherOther\n"), false, true) // a day outside the conference
	f.Add([]byte("Talk\nOctober 9: 9:00am - 9:40am40minOtherOther\n"), false, true)  // overlaps nothing left
	f.Add([]byte{}, false, false)
	f.Add([]byte("\xff\xfe\x00"), true, false)

	base, err := seeds.Default()
	if err != nil {
		f.Fatal(err)
	}
	const token = "fuzz-token"
	tokenFile := filepath.Join(f.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		f.Fatal(err)
	}
	// The server's handler is swapped for a fresh one on every input;
	// failed records a 5xx it answered.
	var cur atomic.Pointer[http.Handler]
	var failed atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		(*cur.Load()).ServeHTTP(rec, r)
		if rec.Code >= 500 {
			failed.Store(r.Method + " " + r.URL.Path + ": " + rec.Body.String())
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	f.Cleanup(srv.Close)

	f.Fuzz(func(t *testing.T, file []byte, dryRun, force bool) {
		ws, err := web.New(web.Config{BaseURL: srv.URL, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := agenda.Open(context.Background(), memstore.New(), func() (*agenda.Snapshot, error) { return base, nil }, ws.Publish)
		if err != nil {
			t.Fatal(err)
		}
		h := ws.Handler(svc, nil)
		cur.Store(&h)
		failed.Store("")

		args := []string{"-server", srv.URL, "-admin-token-file", tokenFile}
		if dryRun {
			args = append(args, "-dry-run")
		}
		if force {
			args = append(args, "-force")
		}
		var out, errOut bytes.Buffer
		err = runImport(t.Context(), append(args, "-"), bytes.NewReader(file), &out, &errOut)
		if msg := failed.Load().(string); msg != "" {
			t.Fatalf("server answered 5xx: %s", msg)
		}
		_, perr := seeds.Parse("stdin", file, seeds.FlinkForwardBerlin2019Conference())
		switch {
		case perr != nil:
			var se *seeds.Error
			if !errors.As(err, &se) || se.File != "stdin" || se.Line < 1 {
				t.Fatalf("file the parser refuses (%v): import returned %v, want a seeds.Error naming stdin and a line", perr, err)
			}
			if svc.Current().Revision() != base.Revision() {
				t.Fatalf("refused file changed the agenda to revision %d", svc.Current().Revision())
			}
		case err != nil:
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("import failed with an empty message")
			}
			if force && strings.Contains(err.Error(), "import it with -force") {
				t.Fatalf("import -force refused for cancelling too many sessions: %v", err)
			}
			if svc.Current().Revision() != base.Revision() {
				t.Fatalf("failed import (%v) changed the agenda to revision %d", err, svc.Current().Revision())
			}
		case !dryRun:
			out.Reset()
			if err := runImport(t.Context(), append(args, "-"), bytes.NewReader(file), &out, &errOut); err != nil {
				t.Fatalf("second import of the same file: %v", err)
			}
			if !strings.HasPrefix(out.String(), "nothing to change") {
				t.Fatalf("second import of the same file changed more:\n%s", out.String())
			}
		}
	})
}

// excerpt returns the part of the built-in agenda from the line starting
// with from to the end of the n-th occurrence of to after it.
func excerpt(tb testing.TB, from, to string, n int) []byte {
	tb.Helper()
	src := seeds.FlinkForwardBerlin2019()
	i := bytes.Index(src, []byte(from))
	if i < 0 {
		tb.Fatalf("built-in agenda has no %q", from)
	}
	end := i
	for range n {
		j := bytes.Index(src[end:], []byte(to))
		if j < 0 {
			tb.Fatalf("built-in agenda has fewer than %d %q after %q", n, to, from)
		}
		end += j + len(to)
	}
	return src[i:end]
}
