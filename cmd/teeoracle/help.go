package main

import "github.com/urfave/cli/v2"

// categoriseFlags files the flags of commands that name no category under one, so
// every command's help is rendered by urfave/cli's category layout, which
// cliapp.FlagHelp
// is written for (its flat layout indents each flag's lines a second time).
func categoriseFlags(cmds []*cli.Command) {
	for _, cmd := range cmds {
		categoriseFlags(cmd.Subcommands)
		categorised := false
		for _, f := range cmd.Flags {
			if cf, ok := f.(cli.CategorizableFlag); ok && cf.GetCategory() != "" {
				categorised = true
			}
		}
		if categorised {
			continue
		}
		for i, f := range cmd.Flags {
			cmd.Flags[i] = withCategory(f, "Flags:")
		}
	}
}
