package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
)

// Flags of `serve` and `audit`. They follow flags.go's rules (kebab-case, exactly one
// TEEORACLE_ variable, TestFlagRules); flags that verify also has are taken from
// verifyFlags() so each environment variable keeps one meaning.
const (
	flagListen             = "listen"
	flagRPCURL             = "rpc-url"
	flagKeystore           = "keystore"
	flagPasswordFile       = "password-file"
	flagKeyFile            = "key-file"
	flagDB                 = "db"
	flagSNPRoots           = "snp-roots"
	flagTDXRoot            = "tdx-root"
	flagPeers              = "peers"
	flagConfirmations      = "confirmations"
	flagWorkers            = "workers"
	flagMaxFeeGwei         = "max-fee-gwei"
	flagStartBlock         = "start-block"
	flagDueWithin          = "due-within"
	flagReappraiseInterval = "reappraise-interval"
	flagReappraiseEpoch    = "reappraise-epoch"
	flagReappraiseMax      = "reappraise-max"
	flagPollInterval       = "poll-interval"
	flagRateLimit          = "rate-limit"
	flagVerdictHash        = "verdict-hash"
	flagNode               = "node"
	flagExplorerWasm       = "explorer-wasm-dir"
	flagCollateralWait     = "collateral-wait"
	flagCollateralRetry    = "collateral-retry"
	flagResubmitAfter      = "resubmit-after"
	flagReceiptPoll        = "receipt-poll-interval"
	flagRetainFailed       = "retain-failed"
	flagMaxHeadLag         = "max-head-lag"
	flagGasPerVerdict      = "gas-per-verdict"
	flagReserveVerdicts    = "reserve-verdicts"
	flagHealthInterval     = "health-interval"
	flagTrustProxy         = "trust-proxy"
	flagMaxConns           = "max-connections"
	flagMaxConnsPerClient  = "max-connections-per-client"
	flagIdleTimeout        = "idle-timeout"
	flagEvidenceInFlight   = "max-evidence-in-flight"
	flagEvidencePerClient  = "max-evidence-per-client"
	flagFailedPerMachine   = "max-failed-per-machine"
	flagCallBatch          = "rpc-call-batch"
	flagEvidenceBytes      = "max-evidence-bytes"
	flagRateClients        = "rate-limit-clients"
	flagMemoryLimit        = "memory-limit"
	flagRelayDelay         = "relay-delay"
	flagQuorumTimeout      = "quorum-timeout"
	flagNoForward          = "no-forward"
	flagExplorerRPCURL     = "explorer-rpc-url"
	flagConfig             = "config"
)

// rootsFiles are the files of --snp-roots and --tdx-root, named by their flags, as
// appraise.ReadRoots reads them: a path not given keeps that vendor's production
// roots.
func rootsFiles(snpPath, tdxPath string) (snp, tdx appraise.RootsFile) {
	return appraise.RootsFile{Name: "--" + flagSNPRoots, Path: snpPath}, appraise.RootsFile{Name: "--" + flagTDXRoot, Path: tdxPath}
}

// collateralSources are --collateral, --cache-dir and --offline, read alike by
// verify and serve.
func collateralSources(c *cli.Context) collateral.SourceOptions {
	return collateral.SourceOptions{Local: c.String(flagCollateral), CacheDir: c.String(flagCacheDir), Offline: c.Bool(flagOffline)}
}

// Categories of serve's flags in --help.
const (
	serveCatNode   = "Node:"
	serveCatChain  = "Chain:"
	serveCatKeys   = "Oracle key (one of --keystore with --password-file, or --key-file):"
	serveCatVerif  = "Verification:"
	serveCatLoops  = "Loops:"
	serveCatLimits = "API limits (docs/operator.md, Limits):"
	serveCatQuorum = "Quorum:"
)

// serveFlags are serve's flags: the node's and its API limits, the chain's and the
// key's, then verification, loops and quorum, then verify's shared ones. Each
// of serve's own names the field of cfg it sets (Destination, read by
// readServeFlags) and, when its value has a bound, checks it (Action); nil cfg is a
// throwaway, for commands that take one of these flags' definitions.
func serveFlags(cfg *serveConfig) []cli.Flag {
	if cfg == nil {
		cfg = new(serveConfig)
	}
	flags := append(serveNodeFlags(cfg), serveChainFlags(cfg)...)
	flags = append(flags, serveLoopFlags(cfg)...)
	return append(flags, cliapp.PickFlags(verifyFlags(), "", flagRegistry, flagPolicy, flagCollateral, flagCacheDir, flagOffline)...)
}

func serveNodeFlags(cfg *serveConfig) []cli.Flag {
	posD, posI := cliapp.Positive[time.Duration], cliapp.Positive[int]
	return cliapp.WithEnv(envPrefix, []cli.Flag{
		&cli.StringFlag{Name: flagListen, Destination: &cfg.API.Listen, Category: serveCatNode, Value: "127.0.0.1:8080",
			Usage: "API listen `ADDRESS` (host:port)"},
		sharedAs(flagDB, serveCatNode, &cfg.DB),
		&cli.StringSliceFlag{Name: flagPeers, Category: serveCatNode,
			Usage: "peer oracle node API `URL`s to ask for quorum signatures; repeatable or comma-separated"},
		&cli.IntFlag{Name: flagWorkers, Destination: &cfg.Workers, Category: serveCatNode,
			Usage: "appraisal worker `COUNT`; 0 means 16 per CPU"},
		&cli.Float64Flag{Name: flagRateLimit, Destination: &cfg.API.RateLimit, Category: serveCatNode, Value: 20,
			Usage: "API requests per second per client `RATE` (burst twice that); negative disables"},
		&cli.StringFlag{Name: flagConfig, Category: serveCatNode, TakesFile: true,
			Usage: "YAML `FILE` of serve's settings, keyed by flag name (rpc-url: ..., peers: [...], collateral-wait: 10m); flags and TEEORACLE_ variables override it; see docs/operator.md"},
		sharedAs(flagExplorerWasm, serveCatNode, &cfg.ExplorerWasm),
		&cli.StringSliceFlag{Name: flagTrustProxy, Category: serveCatLimits,
			Usage: "`CIDR`s of reverse proxies in front of the node: for their requests the client is the right-most X-Forwarded-For entry outside these prefixes; repeatable or comma-separated; without it the header is ignored"},
		&cli.IntFlag{Name: flagMaxConns, Destination: &cfg.API.MaxConns, Action: posI(flagMaxConns), Category: serveCatLimits, Value: 4096,
			Usage: "open API connections, `COUNT`; more are closed on accept (keep below ulimit -n)"},
		&cli.IntFlag{Name: flagMaxConnsPerClient, Destination: &cfg.API.MaxConnsPerClient, Action: posI(flagMaxConnsPerClient), Category: serveCatLimits, Value: 64,
			Usage: "open API connections per client (IPv4 /24, IPv6 /64), `COUNT`"},
		&cli.DurationFlag{Name: flagIdleTimeout, Destination: &cfg.API.IdleTimeout, Action: posD(flagIdleTimeout), Category: serveCatLimits, Value: 10 * time.Second,
			Usage: "`DURATION` an idle keep-alive API connection stays open"},
		&cli.IntFlag{Name: flagEvidenceInFlight, Destination: &cfg.API.MaxEvidenceInFlight, Action: posI(flagEvidenceInFlight), Category: serveCatLimits, Value: 128,
			Usage: "evidence submissions received, decoded and stored at once, `COUNT`; more get 503 with Retry-After"},
		&cli.IntFlag{Name: flagEvidencePerClient, Destination: &cfg.API.MaxEvidencePerClient, Action: posI(flagEvidencePerClient), Category: serveCatLimits, Value: 4,
			Usage: "evidence submissions in flight per client (IPv4 /24, IPv6 /64), `COUNT`; more get 429 with Retry-After"},
		&cli.IntFlag{Name: flagFailedPerMachine, Destination: &cfg.MaxFailedPerMachine, Action: posI(flagFailedPerMachine), Category: serveCatLimits, Value: 32,
			Usage: "`N` submissions of one machine failed for their evidence (not authentic, not bound) within --retain-failed (24 h when 0) after which its submissions are refused (429) until the earliest leaves the count; outages and collateral that fails its own checks do not count"},
		&cli.IntFlag{Name: flagCallBatch, Destination: &cfg.CallBatch, Action: posI(flagCallBatch), Category: serveCatLimits, Value: 100,
			Usage: "contract calls the node sends in one JSON-RPC batch request at most, `COUNT` (1: each alone); an endpoint that refuses a batch gets them one by one"},
		&cli.Int64Flag{Name: flagEvidenceBytes, Destination: &cfg.API.MaxEvidenceBytes, Action: cliapp.Positive[int64](flagEvidenceBytes), Category: serveCatLimits, Value: 16 << 20,
			Usage: "evidence body `BYTES` being received or in flight (a body counts as its bytes arrive); bounds the memory submissions hold, about 3 times this"},
		&cli.IntFlag{Name: flagRateClients, Destination: &cfg.API.RateClients, Action: posI(flagRateClients), Category: serveCatLimits, Value: 1 << 16,
			Usage: "clients (IPv4 /24, IPv6 /64) the rate limiter tracks, `COUNT`; when full, the least recently seen is dropped"},
		&cli.Int64Flag{Name: flagMemoryLimit, Destination: &cfg.MemoryLimit, Action: cliapp.NotNegative[int64](flagMemoryLimit, ""), Category: serveCatLimits, Value: 512 << 20,
			Usage: "soft memory limit of the process in `BYTES` (the Go runtime's; it collects garbage harder near it); 0 leaves the runtime's default"},
		&cli.StringFlag{Name: flagExplorerRPCURL, Destination: &cfg.ExplorerRPCURL, Category: serveCatNode,
			Usage: "public JSON-RPC `URL` the registry explorer's page reads the chain from; the explorer (/explorer/) is served only when this is given. --rpc-url is never shown to browsers (it often carries an API key)"},
	})
}

func serveChainFlags(cfg *serveConfig) []cli.Flag {
	posD, posI := cliapp.Positive[time.Duration], cliapp.Positive[int]
	return cliapp.WithEnv(envPrefix, []cli.Flag{
		&cli.StringFlag{Name: flagRPCURL, Destination: &cfg.RPCURL, Category: serveCatChain,
			Usage: "Ethereum JSON-RPC `URL` of the registry's chain"},
		&cli.Uint64Flag{Name: flagConfirmations, Destination: &cfg.TxManager.NumConfirmations, Action: cliapp.Positive[uint64](flagConfirmations), Category: serveCatChain, Value: 1,
			Usage: "`BLOCKS` (including the one with the transaction) before a verdict counts as confirmed"},
		&cli.Float64Flag{Name: flagMaxFeeGwei, Destination: &cfg.MaxFeeGwei, Action: cliapp.Positive[float64](flagMaxFeeGwei), Category: serveCatChain, Value: 200,
			Usage: "highest fee per gas, in `GWEI`, the node will ever pay"},
		&cli.DurationFlag{Name: flagResubmitAfter, Destination: &cfg.TxManager.ResubmissionTimeout, Action: posD(flagResubmitAfter), Category: serveCatChain, Value: 30 * time.Second,
			Usage: "`DURATION` a verdict transaction may stay unmined before it is sent again with higher fees"},
		&cli.DurationFlag{Name: flagReceiptPoll, Destination: &cfg.TxManager.ReceiptQueryInterval, Action: posD(flagReceiptPoll), Category: serveCatChain, Value: time.Second,
			Usage: "`DURATION` between receipt queries for a sent transaction (about the chain's block time)"},
		&cli.DurationFlag{Name: flagMaxHeadLag, Destination: &cfg.MaxHeadLag, Action: posD(flagMaxHeadLag), Category: serveCatChain, Value: 2 * time.Minute,
			Usage: "the node is not ready (/readyz) while the chain's head block is older than this `DURATION`"},
		&cli.Uint64Flag{Name: flagGasPerVerdict, Destination: &cfg.GasPerVerdict, Action: cliapp.Positive[uint64](flagGasPerVerdict), Category: serveCatChain, Value: 120_000,
			Usage: "`GAS` one verdict is estimated to cost, for the balance the node needs to be ready"},
		&cli.IntFlag{Name: flagReserveVerdicts, Destination: &cfg.ReserveVerdicts, Action: posI(flagReserveVerdicts), Category: serveCatChain, Value: 10,
			Usage: "the node is not ready while its sending account cannot pay for this `COUNT` of verdicts at the current gas price"},
		&cli.Uint64Flag{Name: flagStartBlock, Destination: &cfg.StartBlock, Category: serveCatChain,
			Usage: "`BLOCK` to start scanning registry events from (the registry's deployment block)"},
		&cli.StringFlag{Name: flagKeystore, Destination: &cfg.Key.Keystore, Category: serveCatKeys, TakesFile: true,
			Usage: "encrypted go-ethereum keystore `FILE` of the signing key (for serve, the oracle key)"},
		&cli.StringFlag{Name: flagPasswordFile, Destination: &cfg.Key.PasswordFile, Category: serveCatKeys, TakesFile: true,
			Usage: "`FILE` holding the keystore password"},
		&cli.StringFlag{Name: flagKeyFile, Destination: &cfg.Key.KeyFile, Category: serveCatKeys, TakesFile: true,
			Usage: "`FILE` holding the signing private key as hex (for serve, the oracle key; development, prefer --keystore)"},
	})
}

func serveLoopFlags(cfg *serveConfig) []cli.Flag {
	posD := cliapp.Positive[time.Duration]
	return cliapp.WithEnv(envPrefix, []cli.Flag{
		sharedAs(flagSNPRoots, serveCatVerif, &cfg.SNPRoots), sharedAs(flagTDXRoot, serveCatVerif, &cfg.TDXRoot),
		&cli.DurationFlag{Name: flagCollateralWait, Destination: &cfg.CollateralWait, Action: posD(flagCollateralWait), Category: serveCatVerif, Value: 10 * time.Minute,
			Usage: "`DURATION` a submission waits for AMD KDS or Intel PCS when it is down (unreachable, 429, 5xx) before it fails; no verdict is made meanwhile"},
		&cli.DurationFlag{Name: flagCollateralRetry, Destination: &cfg.CollateralRetry, Action: posD(flagCollateralRetry), Category: serveCatVerif, Value: 30 * time.Second,
			Usage: "`DURATION` between appraisals of a submission waiting for collateral"},
		&cli.DurationFlag{Name: flagDueWithin, Destination: &cfg.DueWithin, Action: posD(flagDueWithin), Category: serveCatLoops, Value: time.Hour,
			Usage: "machines whose verdict expires within this `DURATION` are listed as due"},
		&cli.DurationFlag{Name: flagReappraiseInterval, Destination: &cfg.ReappraiseInterval, Action: posD(flagReappraiseInterval), Category: serveCatLoops, Value: time.Minute,
			Usage: "`DURATION` between continuous-attestation passes (registry scan, collateral refresh, re-appraisal)"},
		&cli.DurationFlag{Name: flagReappraiseEpoch, Destination: &cfg.ReappraiseEpoch, Action: posD(flagReappraiseEpoch), Category: serveCatLoops, Value: 10 * time.Minute,
			Usage: "each trusted machine is re-appraised once per `DURATION` epoch of chain time, as of its own offset within it (its id modulo the epoch), so all nodes agree and a fleet's re-appraisals spread over the epoch"},
		&cli.IntFlag{Name: flagReappraiseMax, Destination: &cfg.ReappraiseMax, Action: cliapp.Positive[int](flagReappraiseMax), Category: serveCatLoops, Value: 2000,
			Usage: "at most `N` re-appraisals per pass, the machines whose time came first first; the rest wait for the next pass (teeoracle_reappraisals_deferred), so a node keeps up with N × --reappraise-epoch / --reappraise-interval trusted machines"},
		&cli.DurationFlag{Name: flagPollInterval, Destination: &cfg.PollInterval, Action: posD(flagPollInterval), Category: serveCatLoops, Value: 500 * time.Millisecond,
			Usage: "`DURATION` between publisher passes"},
		&cli.DurationFlag{Name: flagHealthInterval, Destination: &cfg.HealthInterval, Action: posD(flagHealthInterval), Category: serveCatLoops, Value: 15 * time.Second,
			Usage: "`DURATION` between readiness checks (chain head, oracle status, policy, balance, peers) that /readyz reports"},
		&cli.DurationFlag{Name: flagRetainFailed, Destination: &cfg.RetainFailed, Action: cliapp.NotNegative[time.Duration](flagRetainFailed, "0 keeps failed submissions"), Category: serveCatLoops, Value: 24 * time.Hour,
			Usage: "failed submissions and the evidence no published verdict needs are deleted this `DURATION` after they failed; 0 keeps them"},
		&cli.DurationFlag{Name: flagRelayDelay, Destination: &cfg.RelayDelay, Action: posD(flagRelayDelay), Category: serveCatQuorum, Value: 1500 * time.Millisecond,
			Usage: "`DURATION` a quorum member other than the lowest-addressed signer waits before it relays a verdict that is still not on-chain"},
		&cli.DurationFlag{Name: flagQuorumTimeout, Destination: &cfg.QuorumTimeout, Action: posD(flagQuorumTimeout), Category: serveCatQuorum, Value: 10 * time.Minute,
			Usage: "`DURATION` after which a verdict without its quorum of signatures fails"},
		&cli.BoolFlag{Name: flagNoForward, Destination: &cfg.NoForward, Category: serveCatQuorum,
			Usage: "do not give peers the evidence they lack: they sign only what agents sent them"},
	})
}

func auditFlags() []cli.Flag {
	return append(cliapp.WithEnv(envPrefix, []cli.Flag{
		&cli.StringFlag{Name: flagVerdictHash,
			Usage: "verdict `HASH` (EIP-712 digest, 0x and 64 hex digits) to reproduce"},
		shared(flagMachineID),
		&cli.StringFlag{Name: flagNode,
			Usage: "oracle node API base `URL` to fetch the verdict and its archive from"},
		shared(flagDB),
		shared(flagSNPRoots), shared(flagTDXRoot),
	}), verifyFlag(flagJSON))
}
