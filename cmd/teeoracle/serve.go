package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/web"
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

// exitForced is the exit status after a second interrupt.
const exitForced = 130

func serveCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "serve",
		Usage:       "run an oracle node",
		UsageText:   "teeoracle serve --rpc-url URL --registry ADDRESS (--keystore FILE --password-file FILE | --key-file FILE) [--policy FILE] [flags]",
		Description: serveDescription,
		Flags:       configurable(serveFlags()),
		Before:      loadServeConfigFile,
		Action: func(c *cli.Context) error {
			log := logger(c)
			cfg, err := readServeFlags(c)
			if err != nil {
				return badInput(err)
			}
			return runServe(c.Context, cfg, log)
		},
	}
}

// serveConfig is the raw command-line configuration, checked by check().
type serveConfig struct {
	Listen, RPCURL, DB, Policy, Collateral, CacheDir, SNPRoots, TDXRoot string
	ExplorerWasm, ExplorerRPCURL                                        string
	NoForward                                                           bool
	RelayDelay, QuorumTimeout                                           time.Duration
	Keystore, PasswordFile, KeyFile                                     string
	Registry                                                            common.Address
	Peers                                                               []string
	Offline                                                             bool
	Workers                                                             int
	RateLimit, MaxFeeGwei                                               float64
	Confirmations, StartBlock                                           uint64
	DueWithin, ReappraiseInterval, ReappraiseEpoch, PollInterval        time.Duration
	CollateralWait, CollateralRetry, ResubmitAfter, ReceiptPoll         time.Duration
	RetainFailed, MaxHeadLag, HealthInterval                            time.Duration
	GasPerVerdict                                                       uint64
	ReserveVerdicts                                                     int
	IdleTimeout                                                         time.Duration
	TrustedProxies                                                      []netip.Prefix
	MaxConns, MaxConnsPerClient, EvidenceInFlight, EvidencePerClient    int
	RateClients                                                         int
	EvidenceBytes, MemoryLimit                                          int64
}

func readServeFlags(c *cli.Context) (*serveConfig, error) {
	cfg := &serveConfig{
		ExplorerWasm: c.String(flagExplorerWasm), ExplorerRPCURL: c.String(flagExplorerRPCURL),
		NoForward: c.Bool(flagNoForward), RelayDelay: c.Duration(flagRelayDelay), QuorumTimeout: c.Duration(flagQuorumTimeout),
		Listen: c.String(flagListen), RPCURL: c.String(flagRPCURL), DB: c.String(flagDB), Policy: c.String(flagPolicy),
		Collateral: c.String(flagCollateral), CacheDir: c.String(flagCacheDir), SNPRoots: c.String(flagSNPRoots),
		TDXRoot: c.String(flagTDXRoot), Keystore: c.String(flagKeystore), PasswordFile: c.String(flagPasswordFile),
		KeyFile: c.String(flagKeyFile), Offline: c.Bool(flagOffline), Workers: c.Int(flagWorkers),
		RateLimit: c.Float64(flagRateLimit), MaxFeeGwei: c.Float64(flagMaxFeeGwei),
		Confirmations: c.Uint64(flagConfirmations), StartBlock: c.Uint64(flagStartBlock),
		DueWithin: c.Duration(flagDueWithin), ReappraiseInterval: c.Duration(flagReappraiseInterval),
		ReappraiseEpoch: c.Duration(flagReappraiseEpoch), PollInterval: c.Duration(flagPollInterval),
		CollateralWait: c.Duration(flagCollateralWait), CollateralRetry: c.Duration(flagCollateralRetry),
		ResubmitAfter: c.Duration(flagResubmitAfter), ReceiptPoll: c.Duration(flagReceiptPoll),
		RetainFailed: c.Duration(flagRetainFailed), MaxHeadLag: c.Duration(flagMaxHeadLag),
		HealthInterval: c.Duration(flagHealthInterval), GasPerVerdict: c.Uint64(flagGasPerVerdict),
		ReserveVerdicts: c.Int(flagReserveVerdicts),
		IdleTimeout:     c.Duration(flagIdleTimeout), MaxConns: c.Int(flagMaxConns), MaxConnsPerClient: c.Int(flagMaxConnsPerClient),
		EvidenceInFlight: c.Int(flagEvidenceInFlight), EvidencePerClient: c.Int(flagEvidencePerClient),
		EvidenceBytes: c.Int64(flagEvidenceBytes), RateClients: c.Int(flagRateClients), MemoryLimit: c.Int64(flagMemoryLimit),
	}
	for _, p := range c.StringSlice(flagTrustProxy) {
		for _, q := range strings.Split(p, ",") {
			if q = strings.TrimSpace(q); q == "" {
				continue
			}
			pfx, err := netip.ParsePrefix(q)
			if err != nil {
				return nil, fmt.Errorf("--%s %q: want a CIDR such as 10.0.0.0/8 or 192.0.2.7/32: %w", flagTrustProxy, q, err)
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, pfx.Masked())
		}
	}
	for _, p := range c.StringSlice(flagPeers) {
		for _, q := range strings.Split(p, ",") {
			if q = strings.TrimSpace(q); q != "" {
				cfg.Peers = append(cfg.Peers, q)
			}
		}
	}
	var err error
	if cfg.Registry, err = parseAddress(c, flagRegistry); err != nil {
		return nil, err
	}
	return cfg, cfg.check()
}

// check validates across fields before anything is opened or dialled.
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
	case c.MaxFeeGwei <= 0:
		return fmt.Errorf("--%s must be positive", flagMaxFeeGwei)
	case c.Confirmations == 0:
		return fmt.Errorf("--%s must be at least 1", flagConfirmations)
	case c.DB == "":
		return fmt.Errorf("--%s is required", flagDB)
	case c.RetainFailed < 0:
		return fmt.Errorf("--%s %s: must not be negative (0 keeps failed submissions)", flagRetainFailed, c.RetainFailed)
	case c.GasPerVerdict == 0:
		return fmt.Errorf("--%s must be positive", flagGasPerVerdict)
	case c.ReserveVerdicts <= 0:
		return fmt.Errorf("--%s must be positive", flagReserveVerdicts)
	case c.ExplorerWasm != "" && c.ExplorerRPCURL == "":
		return fmt.Errorf("--%s needs --%s: the explorer is served only with a public RPC URL for browsers", flagExplorerWasm, flagExplorerRPCURL)
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{flagDueWithin, c.DueWithin}, {flagReappraiseInterval, c.ReappraiseInterval}, {flagReappraiseEpoch, c.ReappraiseEpoch},
		{flagPollInterval, c.PollInterval}, {flagCollateralWait, c.CollateralWait}, {flagCollateralRetry, c.CollateralRetry},
		{flagResubmitAfter, c.ResubmitAfter}, {flagReceiptPoll, c.ReceiptPoll}, {flagMaxHeadLag, c.MaxHeadLag},
		{flagHealthInterval, c.HealthInterval}, {flagIdleTimeout, c.IdleTimeout}, {flagRelayDelay, c.RelayDelay}, {flagQuorumTimeout, c.QuorumTimeout}} {
		if d.v <= 0 {
			return fmt.Errorf("--%s %s: must be positive", d.flag, d.v)
		}
	}
	for _, n := range []struct {
		flag string
		v    int64
	}{{flagMaxConns, int64(c.MaxConns)}, {flagMaxConnsPerClient, int64(c.MaxConnsPerClient)},
		{flagEvidenceInFlight, int64(c.EvidenceInFlight)}, {flagEvidencePerClient, int64(c.EvidencePerClient)},
		{flagEvidenceBytes, c.EvidenceBytes}, {flagRateClients, int64(c.RateClients)}} {
		if n.v <= 0 {
			return fmt.Errorf("--%s %d: must be positive", n.flag, n.v)
		}
	}
	if c.MemoryLimit < 0 {
		return fmt.Errorf("--%s %d: must not be negative", flagMemoryLimit, c.MemoryLimit)
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

// loadSNPRoots reads a PEM file of AMD root certificates (appraise.ParseSNPRootsPEM);
// no path means AMD's production roots.
func loadSNPRoots(path string) (*appraise.SNPRoots, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagSNPRoots, err)
	}
	r, err := appraise.ParseSNPRootsPEM(b)
	if err != nil {
		return nil, fmt.Errorf("--%s %s: %w", flagSNPRoots, path, err)
	}
	return r, nil
}

// loadTDXRoot reads a PEM root certificate; no path means Intel's production root.
func loadTDXRoot(path string) (*x509.Certificate, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagTDXRoot, err)
	}
	c, err := appraise.ParseTDXRootPEM(b)
	if err != nil {
		return nil, fmt.Errorf("--%s %s: %w", flagTDXRoot, path, err)
	}
	return c, nil
}

// reloadingSNPCRLs serves the AMD CRLs of a directory, re-read on every
// continuous-attestation pass, so a CRL dropped into the directory is picked up and
// the archived evidence re-appraised against it.
type reloadingSNPCRLs struct {
	dir   string
	mu    sync.RWMutex
	local *verifier.SNPCRLs
}

func (r *reloadingSNPCRLs) reload(context.Context) error {
	l, err := loadSNPCRLs(r.dir)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.local = l
	r.mu.Unlock()
	return nil
}

func (r *reloadingSNPCRLs) VCEK(ctx context.Context, line string, chip []byte, tcb uint64) ([]byte, error) {
	return nil, fmt.Errorf("VCEK: %w (it must come with the evidence)", verifier.ErrNotGiven)
}

func (r *reloadingSNPCRLs) CRL(ctx context.Context, line string, vlek bool, asOf time.Time) ([]byte, error) {
	r.mu.RLock()
	l := r.local
	r.mu.RUnlock()
	return l.CRL(ctx, line, vlek, asOf)
}

// CRLs makes the reloading source an appraise.SNPCRLLister like the files it holds.
func (r *reloadingSNPCRLs) CRLs(ctx context.Context, line string, asOf time.Time) ([][]byte, error) {
	r.mu.RLock()
	l := r.local
	r.mu.RUnlock()
	return l.CRLs(ctx, line, asOf)
}

// buildAppraiser makes the SNP and TDX appraisers with recording collateral sources.
func buildAppraiser(c *serveConfig, log *slog.Logger) (appraise.Appraiser, func(context.Context) error, error) {
	roots, err := loadSNPRoots(c.SNPRoots)
	if err != nil {
		return nil, nil, err
	}
	tdxRoot, err := loadTDXRoot(c.TDXRoot)
	if err != nil {
		return nil, nil, err
	}
	var cache *collateral.Cache
	if c.CacheDir != "" || !c.Offline {
		opts := collateral.Options{Dir: c.CacheDir, Offline: c.Offline, Logger: log}
		if !c.Offline {
			opts.Fetcher = &collateral.HTTPFetcher{}
		}
		if cache, err = collateral.New(opts); err != nil {
			return nil, nil, fmt.Errorf("--%s %s: %w", flagCacheDir, c.CacheDir, err)
		}
	}
	var snpSrc appraise.SNPCollateral
	var tdxSrc appraise.TDXCollateralSource
	var refresh func(context.Context) error
	if c.Collateral != "" {
		st, err := os.Stat(c.Collateral)
		if err != nil {
			return nil, nil, fmt.Errorf("--%s: %w", flagCollateral, err)
		}
		switch {
		case !st.IsDir():
			d, err := collateral.LoadDcapQVL(c.Collateral)
			if err != nil {
				return nil, nil, fmt.Errorf("--%s %s: %w", flagCollateral, c.Collateral, err)
			}
			tdxSrc = d
		default:
			// A directory: AMD CRLs (re-read every pass) and, when present, Intel PCS
			// responses.
			r := &reloadingSNPCRLs{dir: c.Collateral}
			if err := r.reload(context.Background()); err == nil {
				snpSrc, refresh = r, r.reload
			}
			if d, err := collateral.LoadPCSDir(c.Collateral); err == nil {
				tdxSrc = d
			}
			if snpSrc == nil && tdxSrc == nil {
				return nil, nil, fmt.Errorf("--%s %s: neither AMD CRLs nor Intel PCS responses", flagCollateral, c.Collateral)
			}
		}
	}
	if snpSrc == nil && cache != nil {
		snpSrc = &collateral.KDS{Cache: cache}
	}
	if tdxSrc == nil && cache != nil {
		tdxSrc = &collateral.PCSFetcher{Getter: collateral.TDXGetter{Cache: cache, Now: time.Now}}
	}
	var by appraise.ByTEE
	snpCfg := appraise.SNPConfig{Roots: roots, Logger: log}
	if snpSrc != nil {
		snpCfg.Collateral = service.RecordingSNP{Inner: snpSrc}
	}
	if by.SNP, err = appraise.NewSNP(snpCfg); err != nil {
		return nil, nil, err
	}
	if tdxSrc != nil {
		if by.TDX, err = appraise.NewTDX(appraise.TDXConfig{Root: tdxRoot, Collateral: service.RecordingTDX{Inner: tdxSrc}}); err != nil {
			return nil, nil, err
		}
	} else {
		log.Warn("no TDX collateral source (offline without --collateral or --cache-dir): TDX evidence will be refused")
	}
	return by, refresh, nil
}

// runServe builds the node in dependency order, runs it until a signal, and stops
// it in reverse order.
func runServe(ctx context.Context, c *serveConfig, log *slog.Logger) error {
	key, err := chain.LoadKey(chain.KeySource{Keystore: c.Keystore, PasswordFile: c.PasswordFile, KeyFile: c.KeyFile}, log)
	if err != nil {
		return badInput(err)
	}
	pol := policy.Default()
	if c.Policy != "" {
		if pol, err = policy.Load(c.Policy); err != nil {
			return badInput(err)
		}
	}
	appraiser, refresh, err := buildAppraiser(c, log)
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
	client, err := ethclient.DialContext(ctx, c.RPCURL)
	if err != nil {
		return badInput(fmt.Errorf("--%s %s: %w", flagRPCURL, redactURL(c.RPCURL), err))
	}
	defer client.Close()
	chainID, err := waitForChainID(ctx, func(ctx context.Context) (*big.Int, error) {
		id, err := client.ChainID(ctx)
		return id, scrubURL(err, c.RPCURL)
	}, rpcStartWait, log)
	if err != nil {
		return fmt.Errorf("--%s %s: %w", flagRPCURL, redactURL(c.RPCURL), err)
	}
	if c.MemoryLimit > 0 {
		debug.SetMemoryLimit(c.MemoryLimit)
	}
	maxFee, _ := new(big.Float).Mul(big.NewFloat(c.MaxFeeGwei), big.NewFloat(1e9)).Int(nil)
	rate := c.RateLimit
	explorer, err := explorerHandler(c)
	if err != nil {
		return badInput(err)
	}
	retain := c.RetainFailed
	if retain == 0 {
		retain = -1 // keep forever (the service's zero means its default)
	}
	cfg := service.Config{
		API: api.Config{Listen: c.Listen, RateLimit: rate, RateBurst: int(2 * max(rate, 1)), Explorer: explorer,
			IdleTimeout: c.IdleTimeout, MaxConns: c.MaxConns, MaxConnsPerClient: c.MaxConnsPerClient,
			MaxEvidenceInFlight: c.EvidenceInFlight, MaxEvidencePerClient: c.EvidencePerClient,
			MaxEvidenceBytes: c.EvidenceBytes, RateClients: c.RateClients, TrustedProxies: c.TrustedProxies},
		Registry:           c.Registry,
		ChainID:            chainID.Uint64(),
		OracleKey:          key,
		Policy:             pol,
		Appraiser:          appraiser,
		Store:              st,
		Peers:              c.Peers,
		Workers:            c.Workers,
		PollInterval:       c.PollInterval,
		DueWithin:          c.DueWithin,
		ReappraiseInterval: c.ReappraiseInterval,
		ReappraiseEpoch:    c.ReappraiseEpoch,
		StartBlock:         c.StartBlock,
		RefreshCollateral:  refresh,
		CollateralWait:     c.CollateralWait,
		CollateralRetry:    c.CollateralRetry,
		RetainFailed:       retain,
		MaxHeadLag:         c.MaxHeadLag,
		HealthInterval:     c.HealthInterval,
		GasPerVerdict:      c.GasPerVerdict,
		ReserveVerdicts:    c.ReserveVerdicts,
		RelayDelay:         c.RelayDelay,
		QuorumTimeout:      c.QuorumTimeout,
		NoForward:          c.NoForward,
		TxManager: chain.TxManagerConfig{MaxFeeCap: maxFee, NumConfirmations: c.Confirmations,
			ResubmissionTimeout: c.ResubmitAfter, ReceiptQueryInterval: c.ReceiptPoll},
		Logger: log,
	}
	svc, err := service.New(cfg, client)
	if err != nil {
		return badInput(err)
	}
	return runLifecycle(ctx, &servedNode{svc: svc}, lifecycleOptions{StopTimeout: 30 * time.Second, Stderr: os.Stderr})
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
