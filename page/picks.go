package page

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"confcal/agenda"
)

// MaxPick is the most sessions one pick may hold.
const MaxPick = 300

// Errors of a PickStore; test for them with errors.Is.
var (
	// ErrUnknownPick is returned (wrapped) by PickStore.Load for a code it
	// does not know.
	ErrUnknownPick = errors.New("unknown pick code")
	// ErrPicksFull is returned (wrapped) by PickStore.Save for a new pick
	// when the store holds as many picks as it may.
	ErrPicksFull = errors.New("pick store is full")
	// ErrPicksBusy is returned (wrapped) by PickStore.Save when the store
	// could not take the pick in time (its database busy with other
	// writes); trying again later may work.
	ErrPicksBusy = errors.New("pick store is busy")
)

// PickStore keeps attendees' picks that are too long to live in a URL under
// short random codes. Codes are not derived from the picks, so nobody can
// guess another attendee's code from the sessions they chose; but a pick
// saved again gets the code it got the first time, so saving the same pick
// over and over stores nothing new.
type PickStore interface {
	// Save stores ids (valid session IDs, at most MaxPick, in the agenda's
	// order so that one pick is always the same list) and returns its code:
	// the one the same list got before, or a new one made by NewCode. A new
	// pick beyond the store's capacity fails with an error wrapping
	// ErrPicksFull, a store too busy to take it with one wrapping
	// ErrPicksBusy.
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
// picks; beyond that it refuses new ones (ErrPicksFull) rather than forget
// codes attendees may have subscribed to. It is safe for concurrent use.
type MemoryPicks struct {
	mu     sync.Mutex
	max    int
	picks  map[string][]string // by code
	byList map[string]string   // code by the comma-joined ids
}

// NewMemoryPicks returns an empty store for at most limit picks (at least 1).
func NewMemoryPicks(limit int) *MemoryPicks {
	return &MemoryPicks{max: max(limit, 1), picks: map[string][]string{}, byList: map[string]string{}}
}

// Save implements PickStore.
func (m *MemoryPicks) Save(ctx context.Context, ids []string) (string, error) {
	if err := CheckPick(ids); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("page: save pick: %w", err)
	}
	list := strings.Join(ids, ",")
	m.mu.Lock()
	defer m.mu.Unlock()
	if code, ok := m.byList[list]; ok {
		return code, nil
	}
	if len(m.picks) >= m.max {
		return "", fmt.Errorf("page: save pick: %d picks stored: %w", len(m.picks), ErrPicksFull)
	}
	code := NewCode()
	for m.picks[code] != nil {
		code = NewCode()
	}
	m.picks[code] = slices.Clone(ids)
	m.byList[list] = code
	return code, nil
}

// Load implements PickStore.
func (m *MemoryPicks) Load(ctx context.Context, code string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("page: load pick: %w", err)
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
