package frabjson

import "confcal/formats/internal/schedule"

// Bridges for the external tests: the GUIDs Export makes.
var (
	UUID5  = schedule.UUID5
	IsUUID = isUUID
)
