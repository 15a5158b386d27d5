package main

import (
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version and build information (module version, VCS revision and time, Go version)",
		Action: func(c *cli.Context) error {
			return cliapp.ReadBuildInfo().Print(c.App.Writer, "teeoracle")
		},
	}
}
