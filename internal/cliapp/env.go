package cliapp

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// UnknownEnv returns the variables in environ with prefix that no flag of app or of
// its commands declares: a typo there would otherwise be silently ignored.
func UnknownEnv(app *cli.App, environ []string, prefix string) []string {
	known := map[string]bool{}
	add := func(flags []cli.Flag) {
		for _, f := range flags {
			if ev, ok := f.(interface{ GetEnvVars() []string }); ok {
				for _, e := range ev.GetEnvVars() {
					known[e] = true
				}
			}
		}
	}
	add(app.Flags)
	var walk func([]*cli.Command)
	walk = func(cmds []*cli.Command) { // subcommands too (registry oracles add, ...)
		for _, c := range cmds {
			add(c.Flags)
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, prefix) && !known[name] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
