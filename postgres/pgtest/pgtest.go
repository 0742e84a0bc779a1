// Package pgtest gives tests a PostgreSQL store of their own: a fresh schema
// in the database CONFCAL_TEST_POSTGRES names, dropped when the test ends,
// so tests may run in parallel on one server.
//
// Without CONFCAL_TEST_POSTGRES a test that needs PostgreSQL skips, saying
// how to run it; in CI (CI=true) it fails instead, so a broken set-up
// cannot pass unnoticed.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the environment variable naming the server tests may use.
const Env = "CONFCAL_TEST_POSTGRES"

// Server returns CONFCAL_TEST_POSTGRES; without it the test skips (fails
// in CI).
func Server(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u != "" {
		return u
	}
	const how = Env + " is not set: set it to a postgres:// URL of a server the tests may create schemas in " +
		"(e.g. postgres://postgres@/postgres?host=/tmp/pg&port=5432); .ci/run starts a throwaway cluster and sets it"
	if os.Getenv("CI") == "true" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// URL returns the URL of a new, empty schema on the test server, dropped
// with everything in it when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	server := Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	schema := "confcal_test_" + strings.ToLower(rand.Text())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", schema, err)
		}
	})
	u, err := WithSchema(server, schema)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// WithSchema returns the connection string server with its search path set
// to schema: a URL gains the query parameter search_path, a keyword/value
// string the keyword.
func WithSchema(server, schema string) (string, error) {
	if !strings.HasPrefix(server, "postgres://") && !strings.HasPrefix(server, "postgresql://") {
		return server + " search_path=" + schema, nil
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL (%T)", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
