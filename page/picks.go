package page

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"sync"

	"confcal/agenda"
)

// MaxPick is the most sessions one pick may hold.
const MaxPick = 300

// ErrUnknownPick is returned (wrapped) by PickStore.Load for a code it does
// not know.
var ErrUnknownPick = errors.New("unknown pick code")

// PickStore keeps attendees' picks that are too long to live in a URL under
// short random codes. Codes are not derived from the picks, so nobody can
// guess another attendee's code from the sessions they chose.
type PickStore interface {
	// Save stores ids (valid session IDs, at most MaxPick) and returns a new
	// code for them, as made by NewCode.
	Save(ctx context.Context, ids []string) (code string, err error)
	// Load returns the ids stored under code, or an error wrapping
	// ErrUnknownPick.
	Load(ctx context.Context, code string) ([]string, error)
}

// codeLen is the length of a code: 10 random bytes in lower-case base32.
const codeLen = 16

var codeEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewCode returns a fresh random pick code: 80 bits from crypto/rand as 16
// characters of a–z and 2–7.
func NewCode() string {
	var b [10]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return codeEncoding.EncodeToString(b[:])
}

// ValidCode reports whether code has the form NewCode produces.
func ValidCode(code string) bool {
	if len(code) != codeLen {
		return false
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// CheckPick reports the first problem with ids as a pick: empty, too long, a
// malformed ID or one listed twice.
func CheckPick(ids []string) error {
	switch {
	case len(ids) == 0:
		return errors.New("page: empty pick")
	case len(ids) > MaxPick:
		return fmt.Errorf("page: pick of %d sessions, at most %d allowed", len(ids), MaxPick)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !agenda.ValidID(id) {
			return fmt.Errorf("page: pick: %q is not a session ID", truncate(id, 40))
		}
		if seen[id] {
			return fmt.Errorf("page: pick lists %q twice", id)
		}
		seen[id] = true
	}
	return nil
}

// MemoryPicks is a PickStore in memory that holds at most a fixed number of
// picks, forgetting the oldest first. It is safe for concurrent use.
type MemoryPicks struct {
	mu    sync.Mutex
	max   int
	picks map[string][]string
	order []string // codes, oldest first
}

// NewMemoryPicks returns an empty store for at most limit picks (at least 1).
func NewMemoryPicks(limit int) *MemoryPicks {
	return &MemoryPicks{max: max(limit, 1), picks: map[string][]string{}}
}

// Save implements PickStore.
func (m *MemoryPicks) Save(ctx context.Context, ids []string) (string, error) {
	if err := CheckPick(ids); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	code := NewCode()
	for m.picks[code] != nil {
		code = NewCode()
	}
	if len(m.order) >= m.max {
		delete(m.picks, m.order[0])
		m.order = m.order[1:]
	}
	m.picks[code] = slices.Clone(ids)
	m.order = append(m.order, code)
	return code, nil
}

// Load implements PickStore.
func (m *MemoryPicks) Load(ctx context.Context, code string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ids, ok := m.picks[code]
	if !ok {
		return nil, fmt.Errorf("page: pick %q: %w", truncate(code, 20), ErrUnknownPick)
	}
	return slices.Clone(ids), nil
}

// Len returns how many picks the store holds.
func (m *MemoryPicks) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.picks)
}

// truncate shortens s to at most n bytes for use in a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
