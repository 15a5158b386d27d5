package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// errNotConfirmed is returned when an irreversible change was not confirmed.
var errNotConfirmed = errors.New("not confirmed")

// confirmed runs action only after the person at the terminal typed "yes" to
// what(c), or with --yes. Without a terminal and without --yes it refuses: a
// script must say --yes to make an irreversible change.
func confirmed(deps appDeps, what func(c *cli.Context) string, action cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Bool(flagYes) {
			return action(c)
		}
		if deps.Stdin == nil || deps.StdinIsTerminal == nil || !deps.StdinIsTerminal() {
			return badInput(fmt.Errorf("%w: this would %s; it cannot be undone. Give --%s to confirm (no terminal to ask on)", errNotConfirmed, what(c), flagYes))
		}
		fmt.Fprintf(c.App.ErrWriter, "This will %s.\nIt cannot be undone. Type yes to continue: ", what(c))
		line, _ := bufio.NewReader(deps.Stdin).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			return badInput(fmt.Errorf("%w: nothing was sent", errNotConfirmed))
		}
		return action(c)
	}
}
