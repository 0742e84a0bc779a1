package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A request call cannot even make says which request it was.
func TestCallErrorsSayWhichRequest(t *testing.T) {
	tests := []struct {
		name string
		c    *client
		body any
		says []string
	}{
		{"body not JSON", &client{base: "http://localhost", http: http.DefaultClient}, map[string]any{"x": make(chan int)}, []string{"PATCH /sessions/late-talk", "encoding the request", "chan"}},
		{"bad server URL", &client{base: "http://[::1", http: http.DefaultClient}, nil, []string{"PATCH http://[::1/sessions/late-talk"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.call(context.Background(), http.MethodPatch, "/sessions/late-talk", tc.body, nil)
			if err == nil {
				t.Fatal("call succeeded")
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}
