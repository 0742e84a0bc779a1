package sqlite_test

import (
	"testing"

	"confcal/agenda"
	"confcal/agenda/storetest"
)

func TestRegistryContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) agenda.Registry { return mustOpen(t, t.TempDir()) })
}

func TestSharedContract(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (agenda.Registry, agenda.Registry) {
		dir := t.TempDir()
		return mustOpen(t, dir), mustOpen(t, dir)
	})
}
