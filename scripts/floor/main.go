// Command floor is the floor of the platform for scripts/loadtest.sh: the
// least a Go server can do to serve a feed. It holds one file in memory
// and answers GET with it, or 304 when If-None-Match names its ETag; no
// router, no middleware, no logs.
//
//	floor -addr 127.0.0.1:18482 -file all.ics -etag '"abc"'
//
// With -fields it answers with the header fields confcal's feed answers
// carry (Cache-Control, Last-Modified, Vary and the CORS fields, 304s
// too), and with -timeouts it runs with confcal serve's default server
// limits: what a feed's answer costs the platform before any of
// confcal's own work (docs/performance.md, "Cost of a poll").
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18482", "listen `address`")
	file := flag.String("file", "", "the `file` to serve")
	etag := flag.String("etag", `"floor"`, "its `ETag`")
	fields := flag.Bool("fields", false, "answer with the header fields of confcal's feed answers")
	timeouts := flag.Bool("timeouts", false, "run with confcal serve's default server limits")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	s := &http.Server{Addr: *addr, Handler: handler(body, *etag, *fields)}
	if *timeouts {
		// As cmd/confcal's serveflags.go.
		s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout = 10*time.Second, 30*time.Second, 60*time.Second, 120*time.Second
		s.MaxHeaderBytes = 64 << 10
	}
	log.Fatal(s.ListenAndServe())
}
