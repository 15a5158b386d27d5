package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// oldFlagNames are earlier names of flags, kept as hidden aliases so scripts and
// unit files written for them keep working: one name per concept is shown.
func oldFlagNames() []struct{ old, current string } {
	return []struct{ old, current string }{
		{"machine", flagMachineID},
		{"key", flagTEEKey},
		{"tee-interface", flagTEE},
	}
}

// addFlagAliases gives every command that has one of the current flags the old
// name too, hidden, with its own TEEORACLE_ variable, and copies an old name's
// value to the current flag before the command runs (the current name wins when
// both are given).
func addFlagAliases(cmds []*cli.Command) {
	for _, cmd := range cmds {
		addFlagAliases(cmd.Subcommands)
		var pairs [][2]string
		for _, a := range oldFlagNames() {
			if hasFlag(cmd.Flags, a.current) && !hasFlag(cmd.Flags, a.old) {
				cmd.Flags = append(cmd.Flags, &cli.StringFlag{Name: a.old, EnvVars: env(a.old), Hidden: true,
					Usage: "old name of --" + a.current})
				pairs = append(pairs, [2]string{a.old, a.current})
			}
		}
		if len(pairs) == 0 {
			continue
		}
		before := cmd.Before
		cmd.Before = func(c *cli.Context) error {
			for _, p := range pairs {
				if c.IsSet(p[0]) && !c.IsSet(p[1]) {
					if err := c.Set(p[1], c.String(p[0])); err != nil {
						return badInput(fmt.Errorf("--%s: %w", p[0], err))
					}
				}
			}
			if before != nil {
				return before(c)
			}
			return nil
		}
	}
}

func hasFlag(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}
