package cliapp

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// Alias is an earlier name of a flag.
type Alias struct{ Old, Current string }

// AddFlagAliases gives every command (and subcommand) that has one of the current
// flags its old name too, hidden, with its own variable under envPrefix, and copies
// an old name's value to the current flag before the command runs (the current
// name wins when both are given): scripts and unit files written for the old
// names keep working, and help shows one name per concept.
func AddFlagAliases(cmds []*cli.Command, aliases []Alias, envPrefix string) {
	for _, cmd := range cmds {
		AddFlagAliases(cmd.Subcommands, aliases, envPrefix)
		var pairs []Alias
		for _, a := range aliases {
			if HasFlag(cmd.Flags, a.Current) && !HasFlag(cmd.Flags, a.Old) {
				cmd.Flags = append(cmd.Flags, &cli.StringFlag{Name: a.Old, EnvVars: EnvVars(envPrefix, a.Old), Hidden: true,
					Usage: "old name of --" + a.Current})
				pairs = append(pairs, a)
			}
		}
		if len(pairs) == 0 {
			continue
		}
		before := cmd.Before
		cmd.Before = func(c *cli.Context) error {
			for _, p := range pairs {
				if c.IsSet(p.Old) && !c.IsSet(p.Current) {
					if err := c.Set(p.Current, c.String(p.Old)); err != nil {
						return fmt.Errorf("--%s: %w", p.Old, err)
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

// HasFlag says whether one of flags has name among its names.
func HasFlag(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}
