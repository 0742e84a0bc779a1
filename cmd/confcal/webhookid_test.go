package main

import (
	"io"
	"net/http"
	"testing"

	"confcal/postgres/pgtest"
)

// DELETE /api/webhooks/ID with an ID that is no webhook's — a NUL, bytes
// that are no UTF-8, which PostgreSQL refuses in a text parameter — is
// 404, as for any unknown webhook, not a 500.
func TestServeRemoveWebhookBadID(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", token)
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-store", pgtest.URL(t), "-base-url", stackBase, "-push=false")
	for _, id := range []string{"%00", "%FF", "wh_%C3%28", "no-such-webhook"} {
		req, err := http.NewRequest(http.MethodDelete, "http://"+addr+"/api/webhooks/"+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("DELETE /api/webhooks/%s: %s %s, want 404", id, resp.Status, b)
		}
	}
}
