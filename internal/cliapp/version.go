package cliapp

import (
	"fmt"
	"io"
	"runtime/debug"
)

// BuildInfo is what a binary knows of its own build, from runtime/debug.
type BuildInfo struct {
	Version, Revision, Time, GoVersion string
	Modified                           bool
}

// ReadBuildInfo reads the running binary's build information; Version is
// "(unknown)" without any, "(devel)" for a build from a checkout.
func ReadBuildInfo() BuildInfo {
	b := BuildInfo{Version: "(unknown)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.GoVersion = bi.GoVersion
	if v := bi.Main.Version; v != "" {
		b.Version = v
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

// Print writes b as "name version", then the revision, commit time and Go
// version, one per line (those unknown left out).
func (b BuildInfo) Print(w io.Writer, name string) error {
	fmt.Fprintf(w, "%s %s\n", name, b.Version)
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
	_, err := fmt.Fprintf(w, "go %s\n", b.GoVersion)
	return err
}
