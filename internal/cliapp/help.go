// Package cliapp is the command line's machinery that is no part of any command,
// in the manner of op-service's cliapp, oplog and flag helpers: how --help renders
// a flag and files it under a category, a YAML settings file under the flags,
// environment variable names and unknown variables, old flag names kept as hidden
// aliases, the logger of --log-level and --log-format, confirmation prompts, exit
// statuses, parsers of flag values (addresses, hashes, salts, bounded integers,
// lists), build information and small output helpers. The commands themselves are
// in cmd/teeoracle.
package cliapp

import (
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// UseOwnFlagHelp puts back what go-ethereum's internal/flags package changes in
// urfave/cli when it is linked in (its init replaces cli.FlagStringer with one that
// prints "value" for every placeholder and leaves the usage's backticks in, and
// files the help flag under a "MISC" category of its own). The app's help is
// rendered with FlagHelp instead.
func UseOwnFlagHelp() {
	ownFlagHelp.Do(func() {
		cli.FlagStringer = FlagHelp
		if h, ok := cli.HelpFlag.(*cli.BoolFlag); ok {
			h.Category = ""
		}
	})
}

// ownFlagHelp makes UseOwnFlagHelp change urfave/cli's process-wide settings once,
// before any app renders help, however many apps (tests) are built.
var ownFlagHelp sync.Once

// FlagHelp renders one flag for --help: its names with the placeholder the usage
// marks with backticks (`FILE`), the default when it is not the type's zero value
// (a zero that means something is explained in the usage), and its environment
// variable, then the usage on its own lines.
func FlagHelp(f cli.Flag) string {
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return ""
	}
	placeholder, usage := placeholderOf(df.GetUsage())
	if df.TakesValue() && placeholder == "" {
		placeholder = "VALUE"
	}
	if !df.TakesValue() {
		placeholder = ""
	}
	names := cli.FlagNamePrefixer(df.Names(), placeholder)
	line := "    " + names
	if d := shownDefault(f); d != "" {
		line += "  (default: " + d + ")"
	}
	if envs := df.GetEnvVars(); len(envs) > 0 {
		line += "  [$" + strings.Join(envs, ", $") + "]"
	}
	return "\n" + line + "\n" + indentWrap(usage, 10, 80)
}

// placeholderOf returns the first `word` of usage and usage without any backticks.
func placeholderOf(usage string) (string, string) {
	name := ""
	if i := strings.IndexByte(usage, '`'); i >= 0 {
		if j := strings.IndexByte(usage[i+1:], '`'); j >= 0 {
			name = usage[i+1 : i+1+j]
		}
	}
	return name, strings.ReplaceAll(usage, "`", "")
}

// shownDefault is the default --help prints for f: its DefaultText, else its value,
// and nothing for a zero value or a bool.
func shownDefault(f cli.Flag) string {
	df := f.(cli.DocGenerationFlag)
	if !df.TakesValue() { // a bool: its default is off
		return ""
	}
	d := df.GetDefaultText()
	switch d {
	case "", "0", "0s", `""`, "[]":
		return ""
	}
	return strings.Trim(d, `"`)
}

// indentWrap wraps s at width, every line indented.
func indentWrap(s string, indent, width int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		switch {
		case i == 0:
			b.WriteString(pad)
			n = indent
		case n+1+len(w) > width:
			b.WriteString("\n" + pad)
			n = indent
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
