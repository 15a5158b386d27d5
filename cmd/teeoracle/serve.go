package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/internal/lifecycle"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/service"
)

const serveDescription = `Runs an oracle node: the HTTP API (docs/openapi.yaml), a worker pool that
appraises submitted evidence and signs verdicts, a publisher that gathers the
quorum's signatures from --peers and batches verdicts into submitVerdicts
transactions, and the continuous-attestation loop (machine expiry, re-appraisal
when collateral changes). See docs/operator.md.

Settings may come from a YAML file (--config, keys are these flags' names); flags
and TEEORACLE_ variables override it. At start the node waits up to 1 minute for
--rpc-url to answer. The registry explorer (/explorer/) is served only with
--explorer-rpc-url, a public RPC URL for browsers; --rpc-url is never shown to them.

SIGINT or SIGTERM stops it gracefully (in-flight work finishes or stays in the
database to resume); a second signal forces exit.`

func serveCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "serve",
		Usage:       "run an oracle node",
		UsageText:   "teeoracle serve --rpc-url URL --registry ADDRESS (--keystore FILE --password-file FILE | --key-file FILE) [--policy FILE] [flags]",
		Description: serveDescription,
		Flags:       cliapp.Configurable(serveFlags(nil)),
		Before: func(c *cli.Context) error {
			if err := cliapp.LoadConfigFile(c, flagConfig); err != nil {
				return badInput(err)
			}
			return nil
		},
		Action: func(c *cli.Context) error {
			log := cliapp.Logger(c)
			cfg, err := readServeFlags(c)
			if err != nil {
				return badInput(err)
			}
			return runServe(c.Context, cfg, log)
		},
	}
}

// serveConfig is serve's configuration as the flags give it: the node's
// (service.NodeConfig, checked by its Check and built by service.NewFromConfig),
// the files of custom roots, and the process's memory limit.
type serveConfig struct {
	service.NodeConfig
	SNPRoots, TDXRoot string
	MemoryLimit       int64
}

// readServeFlags fills a serveConfig from the flags that point into it (serveFlags),
// whose Actions have already refused out-of-range values, and checks it across
// flags before anything is opened or dialled, naming the flags its errors are about.
func readServeFlags(c *cli.Context) (*serveConfig, error) {
	cfg := new(serveConfig)
	if err := cliapp.Bind(c, serveFlags(cfg)); err != nil {
		return nil, err
	}
	cfg.PolicyFile, cfg.Peers = c.String(flagPolicy), cliapp.List(c, flagPeers)
	cfg.Collateral = collateralSources(c)
	f := cliapp.Read(c)
	cfg.API.TrustedProxies, cfg.Registry = f.Prefixes(flagTrustProxy), f.Address(flagRegistry)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return cfg, cliapp.FlagNames(cfg.Check(), cfg, serveFlags(cfg), cliapp.ByTable(map[string]string{"Registry": flagRegistry}))
}

// runServe builds the node (service.NewFromConfig), runs it until a signal, and
// closes what it opened.
func runServe(ctx context.Context, c *serveConfig, log *slog.Logger) error {
	var err error
	if c.Roots, err = appraise.ReadRoots(rootsFiles(c.SNPRoots, c.TDXRoot)); err != nil {
		return badInput(err)
	}
	c.Logger = log
	node, err := service.NewFromConfig(ctx, c.NodeConfig)
	if err != nil {
		return badInput(cliapp.FlagNames(err, c, serveFlags(c)))
	}
	defer func() {
		if err := node.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	if c.MemoryLimit > 0 {
		debug.SetMemoryLimit(c.MemoryLimit)
	}
	return lifecycle.Run(ctx, &servedNode{svc: node.Service, rpcURL: c.RPCURL}, lifecycle.Options{StopTimeout: 30 * time.Second, Stderr: os.Stderr})
}

// servedNode is the oracle node as serve runs it: it says where it serves once
// started, a start that found no chain names --rpc-url, and a stop that ends in a
// cancelled wait is not an error.
type servedNode struct {
	svc    *service.Service
	rpcURL string
}

func (n *servedNode) Start(ctx context.Context) error {
	if err := n.svc.Start(ctx); errors.Is(err, chain.ErrNoChain) {
		return fmt.Errorf("--%s %s: %w", flagRPCURL, chain.RedactURL(n.rpcURL), err)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "teeoracle: serving on %s as oracle %s with policy %s\n", n.svc.APIAddr(), n.svc.Oracle(), n.svc.PolicyHash())
	return nil
}

func (n *servedNode) Stop(ctx context.Context) error {
	if err := n.svc.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}
