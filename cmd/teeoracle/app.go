package main

import (
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

// Exit codes of every command; a second interrupt exits with
// lifecycle.ExitForced (130).
const (
	exitOK         = 0 // the evidence is trusted / the command succeeded
	exitUntrusted  = 1 // a verdict was made and it is "untrusted"
	exitBadInput   = 2 // bad input or an error: no verdict
	envPrefix      = "TEEORACLE_"
	appDescription = `teeoracle checks attestation evidence from confidential VMs (AMD SEV-SNP
reports, Intel TDX quotes) against the vendors' roots and collateral, applies a
policy of reference values and rules, and produces a verdict: trusted or not, with
reason codes, hashed and signed exactly as the TeeRegistry contract expects.

Every flag can also be set by the environment variable TEEORACLE_<FLAG> (upper case,
dashes as underscores), shown beside each flag.`
)

// appDeps are what the app takes from the process: output streams, the clock (only
// as the default of --at) and the environment (only to warn about unknown
// TEEORACLE_ variables; urfave/cli reads the flags' own variables).
type appDeps struct {
	Stdout, Stderr io.Writer
	// Stdin answers confirmation prompts, only when StdinIsTerminal says a person
	// is there; nil means no terminal.
	Stdin           io.Reader
	StdinIsTerminal func() bool
	Now             func() time.Time
	Environ         []string
}

func badInput(err error) error { return cliapp.Exit(exitBadInput, err) }

// newApp builds the teeoracle command-line app.
func newApp(deps appDeps) *cli.App {
	cliapp.UseOwnFlagHelp()
	app := &cli.App{
		Name:        "teeoracle",
		Usage:       "verify TEE attestation evidence and produce registry verdicts",
		Description: appDescription,
		Flags:       globalFlags(),
		Writer:      deps.Stdout,
		ErrWriter:   deps.Stderr,
		// Errors go back to main, which prints them and picks the exit code; the
		// default handler would call os.Exit in the middle of a test.
		ExitErrHandler: func(*cli.Context, error) {},
		Before: func(c *cli.Context) error {
			log, err := cliapp.NewLogger(c, deps.Stderr)
			if err != nil {
				return badInput(err)
			}
			for _, v := range unknownEnv(c.App, deps.Environ) {
				log.Warn("unknown environment variable ignored", "name", v)
			}
			return nil
		},
		Commands: append([]*cli.Command{verifyCommand(deps), serveCommand(deps), auditCommand(deps), agentCommand(deps), devnetCommand(deps),
			keyCommand(), measureCommand(), versionCommand()}, registryCommands(deps)...),
		// Without a command: --version prints the version, anything else the help.
		Action: func(c *cli.Context) error {
			if c.Bool(flagVersion) {
				return cliapp.ReadBuildInfo().Print(c.App.Writer, "teeoracle")
			}
			return cli.ShowAppHelp(c)
		},
		HideVersion: true,
	}
	cliapp.CategoriseFlags(app.Commands)
	// Earlier names of flags, kept hidden so scripts and unit files written for them
	// keep working: one name per concept is shown.
	cliapp.AddFlagAliases(app.Commands, []cliapp.Alias{{Old: "machine", Current: flagMachineID},
		{Old: "key", Current: flagTEEKey}, {Old: "tee-interface", Current: flagTEE}}, envPrefix)
	return app
}

// unknownEnv returns the TEEORACLE_ variables in environ that no flag declares: a
// typo there would otherwise be silently ignored (cliapp.UnknownEnv).
func unknownEnv(app *cli.App, environ []string) []string {
	return cliapp.UnknownEnv(app, environ, envPrefix)
}
