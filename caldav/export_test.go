package caldav

import "time"

// SetSyncCatchUp sets how long a sync token of a future revision waits
// for it, and returns a func restoring the old wait.
func SetSyncCatchUp(d time.Duration) (restore func()) {
	old := syncCatchUp
	syncCatchUp = d
	return func() { syncCatchUp = old }
}
