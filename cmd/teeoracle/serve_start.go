package main

import (
	"context"
	"log/slog"
	"math/big"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/chain"
)

// rpcStartWait is how long serve keeps asking --rpc-url for its chain id at start
// (an endpoint that is restarting, or not up yet) before it gives up; documented in
// docs/operator.md.
const rpcStartWait = time.Minute

// errNoChain is wrapped by waitForChainID's error when the endpoint never answered.
var errNoChain = chain.ErrNoChain

// waitForChainID, redactURL and scrubURL are the chain package's, for serve and the
// registry commands.
func waitForChainID(ctx context.Context, chainID func(context.Context) (*big.Int, error), wait time.Duration, log *slog.Logger) (*big.Int, error) {
	return chain.WaitForChainID(ctx, chainID, wait, log)
}

func redactURL(s string) string { return chain.RedactURL(s) }

func scrubURL(err error, rawURL string) error { return chain.ScrubURL(err, rawURL) }

// configurable makes flags readable from serve's --config file (cliapp.Configurable).
func configurable(flags []cli.Flag) []cli.Flag { return cliapp.Configurable(flags) }

// maxConfigFile bounds a --config file.
const maxConfigFile = cliapp.MaxConfigFile

// loadServeConfigFile applies --config (cliapp.LoadConfigFile).
func loadServeConfigFile(c *cli.Context) error {
	if err := cliapp.LoadConfigFile(c, flagConfig); err != nil {
		return badInput(err)
	}
	return nil
}
