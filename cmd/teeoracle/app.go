package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

// Exit codes of every command.
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

// exitError carries an exit code through urfave/cli.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }
func (e *exitError) ExitCode() int { return e.code }

func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

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
			level := slog.LevelWarn
			if err := level.UnmarshalText([]byte(c.String(flagLogLevel))); err != nil {
				return badInput(err)
			}
			hopts := &slog.HandlerOptions{Level: level}
			var log *slog.Logger
			switch f := c.String(flagLogFormat); f {
			case "text":
				log = slog.New(slog.NewTextHandler(deps.Stderr, hopts))
			case "json":
				log = slog.New(slog.NewJSONHandler(deps.Stderr, hopts))
			default:
				return badInput(fmt.Errorf("--%s %q: want text or json", flagLogFormat, f))
			}
			c.App.Metadata = map[string]any{"log": log}
			for _, v := range unknownEnv(c.App, deps.Environ) {
				log.Warn("unknown environment variable ignored", "name", v)
			}
			return nil
		},
		Commands: append([]*cli.Command{verifyCommand(deps), serveCommand(deps), auditCommand(deps), agentCommand(deps), devnetCommand(deps),
			keyCommand(deps), measureCommand(), versionCommand()}, registryCommands(deps)...),
		// Without a command: --version prints the version, anything else the help.
		Action: func(c *cli.Context) error {
			if c.Bool(flagVersion) {
				return printVersion(c.App.Writer)
			}
			return cli.ShowAppHelp(c)
		},
		HideVersion: true,
	}
	categoriseFlags(app.Commands)
	addFlagAliases(app.Commands)
	return app
}

func logger(c *cli.Context) *slog.Logger {
	if l, ok := c.App.Metadata["log"].(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// envName is the one environment variable of a flag.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// unknownEnv returns the TEEORACLE_ variables in environ that no flag declares: a
// typo there would otherwise be silently ignored (cliapp.UnknownEnv).
func unknownEnv(app *cli.App, environ []string) []string {
	return cliapp.UnknownEnv(app, environ, envPrefix)
}
