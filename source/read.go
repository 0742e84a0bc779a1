package source

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"confcal/formats"
)

// MaxBody bounds what is read of a source: a schedule of thousands of
// sessions is a few megabytes.
const MaxBody = 64 << 20

// Source is an organizer's schedule at a location: a file path or an
// http(s) URL. It remembers what the last read saw (validators, the body's
// hash), so reading it again costs little when nothing changed. A Source
// is used by one goroutine at a time.
type Source struct {
	// Location is the file path or http(s) URL.
	Location string
	// Format is the schedule's format; empty means detected from the
	// content of the first read, and kept from then on.
	Format Format
	// Options are handed to the importer; Name defaults to Location.
	Options formats.Options
	// Client fetches URLs; nil means a client with a one-minute timeout.
	Client *http.Client

	etag, lastModified string
	sum                [sha256.Size]byte
	read               bool
}

// IsURL reports whether loc names an http(s) URL rather than a file.
func IsURL(loc string) bool {
	return strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://")
}

// ErrUnchanged is what Read reports when the source is as it was at the last
// read (a 304 answer, or the same bytes).
var ErrUnchanged = errors.New("source: unchanged since the last read")

// Read reads and imports the source. It returns ErrUnchanged (and nothing
// else) when the source answered 304 Not Modified or its bytes hash the
// same as at the last successful read. What a read remembers (the
// validators, the hash) is kept only when the body imported, so a broken
// version is fetched and reported again, not taken for unchanged. The
// format used is returned with the result.
func (s *Source) Read(ctx context.Context) (formats.Result, Format, error) {
	data, etag, lastModified, err := s.fetch(ctx)
	if err != nil {
		return formats.Result{}, s.Format, err
	}
	sum := sha256.Sum256(data)
	if s.read && sum == s.sum {
		s.etag, s.lastModified = etag, lastModified
		return formats.Result{}, s.Format, ErrUnchanged
	}
	opts := s.Options
	if opts.Name == "" {
		opts.Name = s.Location
	}
	res, f, err := Parse(data, s.Format, opts)
	if err != nil {
		return formats.Result{}, f, err
	}
	s.sum, s.read, s.etag, s.lastModified = sum, true, etag, lastModified
	// The format found on the first good read is the source's: a later
	// version that reads as another (a web page answered in its place)
	// is a broken version of this one, and is reported as such.
	s.Format = f
	return res, f, nil
}

// Fetch returns the source's bytes, as Read reads them, without importing
// them or remembering anything: for a caller that parses them itself
// (Parse), with options it learns after reading.
func (s *Source) Fetch(ctx context.Context) ([]byte, error) {
	data, _, _, err := s.fetch(ctx)
	return data, err
}

// fetch returns the source's bytes and an HTTP source's validators, or
// ErrUnchanged for a 304.
func (s *Source) fetch(ctx context.Context) (data []byte, etag, lastModified string, err error) {
	if !IsURL(s.Location) {
		f, err := os.Open(s.Location)
		if err != nil {
			return nil, "", "", fmt.Errorf("source: %w", err)
		}
		defer f.Close()
		data, err := readAll(f, s.Location)
		return data, "", "", err
	}
	u, err := url.Parse(s.Location)
	if err != nil || u.Host == "" {
		return nil, "", "", fmt.Errorf("source: %q is not a URL", s.Location)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Location, nil)
	if err != nil {
		return nil, "", "", fmt.Errorf("source: %w", err)
	}
	req.Header.Set("User-Agent", "confcal")
	if s.read {
		if s.etag != "" {
			req.Header.Set("If-None-Match", s.etag)
		}
		if s.lastModified != "" {
			req.Header.Set("If-Modified-Since", s.lastModified)
		}
	}
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: time.Minute}
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, "", "", fmt.Errorf("source: %w", err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotModified && s.read:
		return nil, "", "", ErrUnchanged
	case res.StatusCode != http.StatusOK:
		return nil, "", "", fmt.Errorf("source: %s answered %s", s.Location, res.Status)
	}
	data, err = readAll(res.Body, s.Location)
	if err != nil {
		return nil, "", "", err
	}
	return data, res.Header.Get("ETag"), res.Header.Get("Last-Modified"), nil
}

func readAll(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("source: reading %s: %w", name, err)
	}
	if len(data) > MaxBody {
		return nil, fmt.Errorf("source: %s is larger than %d MB", name, MaxBody>>20)
	}
	return data, nil
}
