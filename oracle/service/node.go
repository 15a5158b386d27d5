package service

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/web"
)

// NodeConfig is an oracle node as its operator configures it (teeoracle serve): the
// service's settings, taken as they are (but for an API.RateBurst left 0, which
// becomes twice API.RateLimit), and the files and the endpoint that NewFromConfig
// reads, opens and dials to complete them (as op-proposer's CLIConfig is to
// ProposerServiceFromCLIConfig).
type NodeConfig struct {
	Config
	// RPCURL is the chain's JSON-RPC endpoint. Errors and the start-up logs show it
	// redacted (chain.RedactURL): providers put API keys in it.
	RPCURL string
	// DB is the node database file (bbolt), opened with StoreOptions.
	DB string
	// Key is where the oracle key comes from (chain.LoadKey).
	Key chain.KeySource
	// PolicyFile is the policy the node decides with; empty means policy.Default().
	PolicyFile string
	// Collateral names the collateral sources (collateral.OpenSources; its Logger
	// is the node's) and Roots the trusted roots (nil: the vendors' production roots).
	Collateral collateral.SourceOptions
	Roots      *appraise.CustomRoots
	// ExplorerRPCURL, when set, has the registry explorer (web) served at
	// /explorer/, reading the registry from this public URL in the browser: never
	// from RPCURL, which would be in the page's config.json and CSP. ExplorerWasm is
	// the directory of scripts/build-wasm's output the explorer re-verifies archived
	// verdicts with; empty means none.
	ExplorerRPCURL, ExplorerWasm string
	// RetainFailed is Config.RetainFailed as an operator gives it: 0 keeps failed
	// submissions forever.
	RetainFailed time.Duration
	// MaxFeeGwei, when above 0, sets TxManager.MaxFeeCap, in gwei.
	MaxFeeGwei float64
}

// Check refuses a configuration missing what the node cannot be built without, or
// giving settings that do not go together, before anything is read or opened.
func (c *NodeConfig) Check() error {
	switch k := c.Key; {
	case c.RPCURL == "":
		return fielderr.New(nil, "%s is required", "RPCURL")
	case c.Registry == (common.Address{}):
		return fielderr.New(nil, "%s is required", "Registry")
	case k.KeyFile != "" && k.Keystore != "":
		return fielderr.New(nil, "give %s or %s, not both", "Key.KeyFile", "Key.Keystore")
	case k.KeyFile == "" && k.Keystore == "":
		return fielderr.New(nil, "an oracle key is required: %s with %s, or %s", "Key.Keystore", "Key.PasswordFile", "Key.KeyFile")
	case k.Keystore != "" && k.PasswordFile == "":
		return fielderr.New(nil, "%s needs %s", "Key.Keystore", "Key.PasswordFile")
	case c.DB == "":
		return fielderr.New(nil, "%s is required", "DB")
	case c.ExplorerWasm != "" && c.ExplorerRPCURL == "":
		return fielderr.New(nil, "%s needs %s: the explorer is served only with a public RPC URL for browsers", "ExplorerWasm", "ExplorerRPCURL")
	}
	return nil
}

// Node is an oracle node built by NewFromConfig: the service, and the database and
// chain client it was built on, which Close closes.
type Node struct {
	*Service
	st     *store.Store
	client *ethclient.Client
}

// Close closes the chain client and the database; call it after Stop.
func (n *Node) Close() error {
	n.client.Close()
	return n.st.Close()
}

// NewFromConfig builds the node c describes, in dependency order: first what is
// read before anything is opened or dialled (the oracle key, the policy, the
// collateral and the appraisers, the explorer) and the chain client (an HTTP
// endpoint is not reached before Start), so that a bad input leaves no database
// file behind; then the database. The node learns the
// chain id from the endpoint at Start (Config.ChainWait); nothing is sent before.
func NewFromConfig(ctx context.Context, c NodeConfig) (*Node, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	cfg, err := c.inputs()
	if err != nil {
		return nil, err
	}
	client, err := chain.DialClient(ctx, c.RPCURL)
	if err != nil {
		return nil, fielderr.New(err, "%s", "RPCURL")
	}
	st, err := store.Open(c.DB, StoreOptions(cfg.Logger))
	if err != nil {
		client.Close()
		return nil, fielderr.New(err, "%s", "DB")
	}
	cfg.Store = st
	cfg.RedactErr = func(err error) error { return chain.ScrubURL(err, c.RPCURL) }
	svc, err := New(*cfg, client)
	if err != nil {
		client.Close()
		return nil, errors.Join(err, st.Close())
	}
	return &Node{Service: svc, st: st, client: client}, nil
}

// inputs reads what the node is configured with into the service configuration.
func (c *NodeConfig) inputs() (*Config, error) {
	cfg := c.Config
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	key, err := chain.LoadKey(c.Key, cfg.Logger)
	if err != nil {
		return nil, err
	}
	pol := policy.Default()
	if c.PolicyFile != "" {
		if pol, err = policy.Load(c.PolicyFile); err != nil {
			return nil, err
		}
	}
	copts := c.Collateral
	copts.Logger = cfg.Logger
	src, err := collateral.OpenSources(copts)
	if err != nil {
		return nil, err
	}
	appraiser, refresh, err := NewAppraiser(src, c.Roots, cfg.Logger)
	if err != nil {
		return nil, err
	}
	if cfg.API.Explorer, err = c.explorer(); err != nil {
		return nil, err
	}
	cfg.OracleKey, cfg.Policy, cfg.Appraiser, cfg.RefreshCollateral = key, pol, appraiser, refresh
	if cfg.API.RateBurst == 0 {
		cfg.API.RateBurst = int(2 * max(cfg.API.RateLimit, 1))
	}
	cfg.RetainFailed = c.RetainFailed
	if cfg.RetainFailed == 0 {
		cfg.RetainFailed = -1 // keep forever (the service's zero means its default)
	}
	if c.MaxFeeGwei > 0 {
		cfg.TxManager.MaxFeeCap, _ = new(big.Float).Mul(big.NewFloat(c.MaxFeeGwei), big.NewFloat(1e9)).Int(nil)
	}
	return &cfg, nil
}

// explorer builds the registry explorer served at /explorer/, or nil (no explorer)
// without ExplorerRPCURL.
func (c *NodeConfig) explorer() (http.Handler, error) {
	if c.ExplorerRPCURL == "" {
		return nil, nil
	}
	opts := web.Options{RPCURL: c.ExplorerRPCURL, Registry: c.Registry, FromBlock: c.StartBlock}
	if c.ExplorerWasm != "" {
		if _, err := os.Stat(filepath.Join(c.ExplorerWasm, "teeoracle.wasm")); err != nil {
			return nil, fielderr.New(err, "%s: no teeoracle.wasm (build it with scripts/build-wasm)", "ExplorerWasm")
		}
		opts.Wasm = os.DirFS(c.ExplorerWasm)
	}
	h, err := web.New(opts)
	if err != nil {
		return nil, fielderr.New(err, "explorer (%s)", "ExplorerRPCURL")
	}
	return h, nil
}
