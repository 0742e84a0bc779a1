package web

import "net/url"

// ParseQuery lets the tests of package web_test read a query as a pick's
// request does.
func ParseQuery(raw string) (url.Values, error) { return parseQuery(raw) }
