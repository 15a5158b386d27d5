package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version and build information (module version, VCS revision and time, Go version)",
		Action: func(c *cli.Context) error {
			return printVersion(c.App.Writer)
		},
	}
}

// buildInfo is what the binary knows of its own build, from runtime/debug.
type buildInfo struct {
	Version, Revision, Time, GoVersion string
	Modified                           bool
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: "(unknown)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.GoVersion = bi.GoVersion
	if v := bi.Main.Version; v != "" {
		b.Version = v // "(devel)" for a build from a checkout
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func printVersion(w io.Writer) error {
	b := readBuildInfo()
	fmt.Fprintf(w, "teeoracle %s\n", b.Version)
	if b.Revision != "" {
		mod := ""
		if b.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(w, "revision %s%s\n", b.Revision, mod)
	}
	if b.Time != "" {
		fmt.Fprintf(w, "commit-time %s\n", b.Time)
	}
	fmt.Fprintf(w, "go %s\n", b.GoVersion)
	return nil
}
