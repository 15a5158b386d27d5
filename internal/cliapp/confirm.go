package cliapp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// ErrNotConfirmed is returned when an irreversible change was not confirmed.
var ErrNotConfirmed = errors.New("not confirmed")

// Prompt is where a confirmation is asked: In answers, only when IsTerminal says a
// person is there; a nil In or IsTerminal means no terminal.
type Prompt struct {
	In         io.Reader
	IsTerminal func() bool
}

// Confirmed runs action only after the person at the terminal typed "yes" to
// what(c), or with the boolean flag yesFlag. Without a terminal and without it, it
// refuses: a script must say --yes to make an irreversible change. Refusals wrap
// ErrNotConfirmed.
func Confirmed(p Prompt, yesFlag string, what func(c *cli.Context) string, action cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Bool(yesFlag) {
			return action(c)
		}
		if p.In == nil || p.IsTerminal == nil || !p.IsTerminal() {
			return fmt.Errorf("%w: this would %s; it cannot be undone. Give --%s to confirm (no terminal to ask on)", ErrNotConfirmed, what(c), yesFlag)
		}
		fmt.Fprintf(c.App.ErrWriter, "This will %s.\nIt cannot be undone. Type yes to continue: ", what(c))
		line, _ := bufio.NewReader(p.In).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			return fmt.Errorf("%w: nothing was sent", ErrNotConfirmed)
		}
		return action(c)
	}
}
