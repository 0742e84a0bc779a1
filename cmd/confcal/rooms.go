package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"confcal/api"
)

const roomsUsage = `Usage:

	confcal rooms [flags]                     list the rooms
	confcal rooms rename [flags] ID "Name"    rename a room (e.g. room-2 "Kesselhaus")
	confcal rooms add [flags] ID "Name"       add a room
`

// runRooms lists, renames or adds rooms.
func runRooms(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub, args, fs, err := subcommand("rooms", args, []string{"list", "rename", "add"}, roomsUsage, stderr)
	if err != nil {
		return err
	}
	f := addAdminFlags(fs)
	f.store.readOnly = sub == "list"
	switch sub {
	case "rename":
		return runAdmin(ctx, fs, f, args, stdin, []string{"a room ID", "a name"}, nil, func(ctx context.Context, o organizer, pos []string) error {
			return renameRoom(ctx, o, stdout, pos[0], pos[1])
		})
	case "add":
		return runAdmin(ctx, fs, f, args, stdin, []string{"a room ID", "a name"}, nil, func(ctx context.Context, o organizer, pos []string) error {
			sums, err := o.AddRoom(ctx, api.NewRoom{ID: pos[0], Name: pos[1]})
			printSummaries(stdout, sums)
			return err
		})
	}
	return runAdmin(ctx, fs, f, args, stdin, nil, nil, func(ctx context.Context, o organizer, _ []string) error {
		list, err := o.Rooms(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSESSIONS")
		for _, r := range list.Rooms {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", printable(r.ID), printable(r.Name), r.Sessions)
		}
		return tw.Flush()
	})
}

// renameRoom renames room id, guarded by the ETag it reads first.
func renameRoom(ctx context.Context, o organizer, stdout io.Writer, id, name string) error {
	list, err := o.Rooms(ctx)
	if err != nil {
		return err
	}
	etag := ""
	for _, r := range list.Rooms {
		if r.ID == id {
			etag = r.ETag
		}
	}
	if etag == "" {
		return fmt.Errorf("no room %q (see confcal rooms)", id)
	}
	after, sums, err := o.RenameRoom(ctx, id, api.RoomPatch{Name: &name}, etag)
	if err != nil {
		return explain(err, "room "+strconv.Quote(id))
	}
	if after.ETag == etag {
		fmt.Fprintf(stdout, "nothing changed: %s is already called %s\n", printable(id), printable(name))
		return nil
	}
	printSummaries(stdout, sums)
	return nil
}
