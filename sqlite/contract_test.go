package sqlite_test

import (
	"testing"

	"confcal/agenda"
	"confcal/agenda/storetest"
)

func TestRegistryContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) agenda.Registry { return mustOpen(t, t.TempDir()) })
}
