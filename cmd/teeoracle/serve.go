package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/internal/lifecycle"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/web"
)

// rpcStartWait is how long serve keeps asking --rpc-url for its chain id at start
// (an endpoint that is restarting, or not up yet) before it gives up; documented in
// docs/operator.md.
const rpcStartWait = time.Minute

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

// serveConfig is serve's configuration as the flags give it, checked by check():
// the service's settings, taken as they are, and what serve reads or opens itself.
type serveConfig struct {
	service.Config
	RPCURL, DB, Policy, Collateral, CacheDir, SNPRoots, TDXRoot string
	ExplorerWasm, ExplorerRPCURL                                string
	Keystore, PasswordFile, KeyFile                             string
	// Registry and RetainFailed are the flags' (RetainFailed 0 keeps failed
	// submissions); serveInputs gives them to the service.
	Registry                                 common.Address
	RetainFailed, ResubmitAfter, ReceiptPoll time.Duration
	Offline                                  bool
	MaxFeeGwei                               float64
	Confirmations                            uint64
	MemoryLimit                              int64
}

// readServeFlags fills a serveConfig from the flags that point into it (serveFlags),
// whose Actions have already refused out-of-range values, and checks it.
func readServeFlags(c *cli.Context) (*serveConfig, error) {
	cfg := new(serveConfig)
	if err := cliapp.Bind(c, serveFlags(cfg)); err != nil {
		return nil, err
	}
	cfg.Policy, cfg.Collateral, cfg.CacheDir, cfg.Offline = c.String(flagPolicy), c.String(flagCollateral), c.String(flagCacheDir), c.Bool(flagOffline)
	cfg.API.RateBurst = int(2 * max(cfg.API.RateLimit, 1))
	for _, q := range cliapp.List(c, flagTrustProxy) {
		pfx, err := netip.ParsePrefix(q)
		if err != nil {
			return nil, fmt.Errorf("--%s %q: want a CIDR such as 10.0.0.0/8 or 192.0.2.7/32: %w", flagTrustProxy, q, err)
		}
		cfg.API.TrustedProxies = append(cfg.API.TrustedProxies, pfx.Masked())
	}
	cfg.Peers = cliapp.List(c, flagPeers)
	var err error
	if cfg.Registry, err = cliapp.Address(c, flagRegistry); err != nil {
		return nil, err
	}
	return cfg, cfg.check()
}

// check validates across flags before anything is opened or dialled; each flag's
// own bounds are its Action's (serveFlags).
func (c *serveConfig) check() error {
	switch {
	case c.RPCURL == "":
		return fmt.Errorf("--%s is required", flagRPCURL)
	case c.Registry == (common.Address{}):
		return fmt.Errorf("--%s is required", flagRegistry)
	case c.KeyFile != "" && c.Keystore != "":
		return fmt.Errorf("give --%s or --%s, not both", flagKeyFile, flagKeystore)
	case c.KeyFile == "" && c.Keystore == "":
		return fmt.Errorf("an oracle key is required: --%s with --%s, or --%s", flagKeystore, flagPasswordFile, flagKeyFile)
	case c.Keystore != "" && c.PasswordFile == "":
		return fmt.Errorf("--%s needs --%s", flagKeystore, flagPasswordFile)
	case c.DB == "":
		return fmt.Errorf("--%s is required", flagDB)
	case c.ExplorerWasm != "" && c.ExplorerRPCURL == "":
		return fmt.Errorf("--%s needs --%s: the explorer is served only with a public RPC URL for browsers", flagExplorerWasm, flagExplorerRPCURL)
	}
	return nil
}

// explorerHandler builds the registry explorer served at /explorer/, or nil (no
// explorer) without --explorer-rpc-url: the page reads the registry from that public
// URL in the browser (never --rpc-url, which often carries an API key and would be
// in config.json and the page's CSP) and re-verifies archived verdicts from this
// node's API with the WebAssembly module in --explorer-wasm-dir, when given.
func explorerHandler(c *serveConfig) (http.Handler, error) {
	if c.ExplorerRPCURL == "" {
		return nil, nil
	}
	opts := web.Options{RPCURL: c.ExplorerRPCURL, Registry: c.Registry, FromBlock: c.StartBlock}
	if c.ExplorerWasm != "" {
		if _, err := os.Stat(filepath.Join(c.ExplorerWasm, "teeoracle.wasm")); err != nil {
			return nil, fmt.Errorf("--%s: no teeoracle.wasm (build it with scripts/build-wasm): %w", flagExplorerWasm, err)
		}
		opts.Wasm = os.DirFS(c.ExplorerWasm)
	}
	h, err := web.New(opts)
	if err != nil {
		return nil, fmt.Errorf("explorer (--%s): %w", flagExplorerRPCURL, err)
	}
	return h, nil
}

// runServe builds the node in dependency order, runs it until a signal, and stops
// it in reverse order.
func runServe(ctx context.Context, c *serveConfig, log *slog.Logger) error {
	cfg, err := serveInputs(c, log)
	if err != nil {
		return badInput(err)
	}
	st, err := store.Open(c.DB, service.StoreOptions(log))
	if err != nil {
		return fmt.Errorf("--%s: %w", flagDB, err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	client, err := chain.DialClient(ctx, c.RPCURL)
	if err != nil {
		return badInput(fmt.Errorf("--%s %s: %w", flagRPCURL, chain.RedactURL(c.RPCURL), err))
	}
	defer client.Close()
	chainID, err := chain.WaitForChainID(ctx, func(ctx context.Context) (*big.Int, error) {
		id, err := client.ChainID(ctx)
		return id, chain.ScrubURL(err, c.RPCURL)
	}, rpcStartWait, log)
	if err != nil {
		return fmt.Errorf("--%s %s: %w", flagRPCURL, chain.RedactURL(c.RPCURL), err)
	}
	if c.MemoryLimit > 0 {
		debug.SetMemoryLimit(c.MemoryLimit)
	}
	cfg.Store, cfg.ChainID = st, chainID.Uint64()
	svc, err := service.New(*cfg, client)
	if err != nil {
		return badInput(err)
	}
	return lifecycle.Run(ctx, &servedNode{svc: svc}, lifecycle.Options{StopTimeout: 30 * time.Second, Stderr: os.Stderr})
}

// serveInputs reads what the node is configured with before anything is opened or
// dialled (the oracle key, the policy, roots and collateral, the explorer) into the
// service configuration; the store and the chain id are runServe's.
func serveInputs(c *serveConfig, log *slog.Logger) (*service.Config, error) {
	key, err := chain.LoadKey(chain.KeySource{Keystore: c.Keystore, PasswordFile: c.PasswordFile, KeyFile: c.KeyFile}, log)
	if err != nil {
		return nil, err
	}
	pol := policy.Default()
	if c.Policy != "" {
		if pol, err = policy.Load(c.Policy); err != nil {
			return nil, err
		}
	}
	roots, err := readRoots(c.SNPRoots, c.TDXRoot)
	if err != nil {
		return nil, err
	}
	src, err := collateral.OpenSources(collateral.SourceOptions{Local: c.Collateral, CacheDir: c.CacheDir, Offline: c.Offline, Logger: log})
	if err != nil {
		return nil, err
	}
	appraiser, refresh, err := service.NewAppraiser(src, roots, log)
	if err != nil {
		return nil, err
	}
	explorer, err := explorerHandler(c)
	if err != nil {
		return nil, err
	}
	cfg := c.Config
	cfg.OracleKey, cfg.Policy, cfg.Appraiser, cfg.RefreshCollateral, cfg.API.Explorer = key, pol, appraiser, refresh, explorer
	cfg.Registry, cfg.Logger, cfg.RetainFailed = c.Registry, log, c.RetainFailed
	if cfg.RetainFailed == 0 {
		cfg.RetainFailed = -1 // keep forever (the service's zero means its default)
	}
	maxFee, _ := new(big.Float).Mul(big.NewFloat(c.MaxFeeGwei), big.NewFloat(1e9)).Int(nil)
	cfg.TxManager = chain.TxManagerConfig{MaxFeeCap: maxFee, NumConfirmations: c.Confirmations,
		ResubmissionTimeout: c.ResubmitAfter, ReceiptQueryInterval: c.ReceiptPoll}
	return &cfg, nil
}

// servedNode is the oracle node as serve runs it: it says where it serves once
// started, and a stop that ends in a cancelled wait is not an error.
type servedNode struct{ svc *service.Service }

func (n *servedNode) Start(ctx context.Context) error {
	if err := n.svc.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "teeoracle: serving on %s as oracle %s\n", n.svc.APIAddr(), n.svc.Oracle())
	return nil
}

func (n *servedNode) Stop(ctx context.Context) error {
	if err := n.svc.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}
