package web

import "net/url"

// ParseQuery lets the tests of package web_test read a query as a pick's
// request does (its parameters gathered in url.Values).
func ParseQuery(raw string) (url.Values, error) {
	ps, err := appendParams(nil, raw)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range ps {
		q[p.key] = append(q[p.key], p.value)
	}
	return q, nil
}

// ParseRawPick reads a pick from a raw query as a pick's request does.
func ParseRawPick(raw string) (Pick, error) {
	ps, err := appendParams(nil, raw)
	if err != nil {
		return Pick{}, err
	}
	return parsePick(ps)
}
