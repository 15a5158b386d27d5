// Command teeoracle verifies confidential-VM attestation evidence (AMD SEV-SNP, Intel
// TDX) and turns it into verdicts a Solidity registry accepts. This file only builds
// the command-line app and maps its result to an exit code; see app.go.
package main

import (
	"io"
	"os"
	"time"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

func main() {
	app := newApp(appDeps{
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Stdin:  os.Stdin,
		StdinIsTerminal: func() bool {
			st, err := os.Stdin.Stat()
			return err == nil && st.Mode()&os.ModeCharDevice != 0
		},
		Now:     time.Now,
		Environ: os.Environ(),
	})
	os.Exit(exitCode(app.Run(os.Args), os.Stderr))
}

// exitCode prints err and returns the process exit status: the one it carries, 0
// for no error, 2 (bad input) for anything else, such as a flag urfave/cli could
// not parse.
func exitCode(err error, stderr io.Writer) int {
	return cliapp.ExitStatus(err, stderr, "teeoracle", exitBadInput)
}
