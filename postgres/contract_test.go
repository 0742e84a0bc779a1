package postgres_test

import (
	"testing"

	"confcal/agenda"
	"confcal/agenda/storetest"
	"confcal/postgres/pgtest"
)

func TestRegistryContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) agenda.Registry { return open(t, pgtest.URL(t)) })
}

func TestSharedContract(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (agenda.Registry, agenda.Registry) {
		url := pgtest.URL(t)
		return open(t, url), open(t, url)
	})
}
