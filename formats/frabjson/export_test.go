package frabjson

// Bridges for the external tests: the GUIDs Export makes.
var (
	UUID5  = uuid5
	IsUUID = isUUID
)
