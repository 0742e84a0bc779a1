// Command floor is the floor of the platform for scripts/loadtest.sh: the
// least a Go server can do to serve a feed. It holds one file in memory
// and answers GET with it, or 304 when If-None-Match names its ETag; no
// router, no middleware, no logs.
//
//	floor -addr 127.0.0.1:18482 -file all.ics -etag '"abc"'
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18482", "listen `address`")
	file := flag.String("file", "", "the `file` to serve")
	etag := flag.String("etag", `"floor"`, "its `ETag`")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(*addr, handler(body, *etag)))
}
