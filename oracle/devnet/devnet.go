// Package devnet runs the whole system on one machine with nothing but Go: an
// embedded chain (go-ethereum's simulated backend, or anvil), the TeeRegistry and
// the example consumer, a devnet policy, one oracle node (package service) with its
// HTTP API, and simulated SEV-SNP and TDX machines (package fakehw, under roots
// generated for this devnet only) whose agents (package agent) register, attest and
// re-attest. It also appraises the repository's real hardware evidence. The
// `teeoracle devnet` command is a thin wrapper around Start and Report.
package devnet

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/workload"
	"github.com/teeoracle/teeoracle/web"
)

// Options configure a devnet. The zero value is the default devnet.
type Options struct {
	// Anvil runs anvil instead of the simulated backend; AnvilPath names the binary
	// ("" searches the repository's .tools and PATH).
	Anvil     bool
	AnvilPath string
	// BlockInterval is the block time; 0 means 1 s.
	BlockInterval time.Duration
	// Validity is the devnet policy's verdict validity; 0 means 60 s, so
	// re-attestation is visible within a minute.
	Validity time.Duration
	// Listen is the oracle API's address; "" means 127.0.0.1:0 (a free port).
	Listen string
	// ExplorerWasm is a directory holding scripts/build-wasm's output; with it the
	// registry explorer (served at /explorer/ of the API) re-verifies verdicts in the
	// browser. "" serves the explorer without re-verification.
	ExplorerWasm string
	// DataDir holds the node's database and the machines' TEE keys; "" means a
	// temporary directory removed by Close.
	DataDir string
	// SNPMachines and TDXMachines are how many simulated machines of each TEE to
	// run; both 0 means one of each. Negative means none.
	SNPMachines, TDXMachines int
	// Oracles is how many oracle nodes run, each with its own key, database and
	// API, all of them the registry's oracles and each other's peers; 0 means 1.
	// Agents attest to the first; it forwards their evidence to the others.
	Oracles int
	// Threshold is the registry's quorum M (1..Oracles); 0 means 1.
	Threshold int
	// Logger receives the components' logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock for the simulated hardware's certificates and collateral;
	// nil means time.Now.
	Now func() time.Time
	// API adjusts every oracle node's API configuration (a fleet from one address
	// lifts the per-client limits); nil keeps the defaults.
	API func(*api.Config)
	// Node adjusts every oracle node's configuration after the devnet's settings
	// (fast polling, a 10 s re-appraisal epoch); nil keeps them.
	Node func(*service.Config)
}

// Tx is one transaction the devnet sent or observed, with its gas.
type Tx struct {
	What    string
	Hash    common.Hash
	Block   uint64
	GasUsed uint64
}

// Machine is one simulated confidential VM.
type Machine struct {
	Name       string
	TEE        evidence.TEE
	ID         common.Hash
	Salt       common.Hash
	WorkloadID common.Hash
	KeyFile    string
	Source     agent.EvidenceSource
	// Agent is nil until StartAgents.
	Agent *agent.Agent

	mu     sync.Mutex
	rounds []agent.Round
}

// Rounds returns the machine's successful attestation rounds so far.
func (m *Machine) Rounds() []agent.Round {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]agent.Round(nil), m.rounds...)
}

// Devnet is a running devnet.
type Devnet struct {
	opts     Options
	log      *slog.Logger
	Chain    *Chain
	Registry *chain.Registry
	Consumer *chain.Consumer
	// Owner deploys and governs the registry; Provider registers machines.
	Owner, Provider, Oracle *ecdsa.PrivateKey
	Policy                  *policy.Policy
	PolicyHash              common.Hash
	SNP                     *fakehw.SNPAuthority
	TDX                     *fakehw.TDXAuthority
	Appraiser               appraise.Appraiser
	Machines                []*Machine
	MaxAnchorAge            uint16

	dataDir, tmpDir string
	sender          *chain.DirectSender
	st              *store.Store
	node            *service.Service
	nodeCfg         service.Config
	apiAddr         string
	// others are the oracle nodes beyond the first (Options.Oracles > 1).
	others []*otherNode

	mu  sync.Mutex
	txs []Tx

	agentsCancel context.CancelFunc
	agentsWG     sync.WaitGroup
}

func (o *Options) defaults() {
	if o.BlockInterval <= 0 {
		o.BlockInterval = time.Second
	}
	if o.Validity <= 0 {
		o.Validity = 60 * time.Second
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Oracles <= 0 {
		o.Oracles = 1
	}
	if o.Threshold <= 0 {
		o.Threshold = 1
	}
	if o.SNPMachines == 0 && o.TDXMachines == 0 {
		o.SNPMachines, o.TDXMachines = 1, 1
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Check refuses options a devnet cannot run with, zero values read as their
// defaults: a block interval under a second on anvil (it takes whole seconds), a
// verdict validity under 10 seconds (a round would not fit in it), or a quorum
// other than 1 <= Threshold <= Oracles <= 16. Its errors are
// *fielderr.Error naming the fields of Options they concern, so that a caller can
// name what set them (a command-line flag, say). A devnet without machines is
// valid: a fleet's machines come later (AddFleet).
func (o Options) Check() error {
	o.defaults()
	switch {
	case o.Anvil && o.BlockInterval < time.Second:
		return fielderr.New(fmt.Errorf("anvil takes whole seconds, got %s", o.BlockInterval), "", "BlockInterval")
	case o.Validity < 10*time.Second:
		return fielderr.New(nil, "%s: at least 10s, so a round fits in it", "Validity")
	case o.Threshold > o.Oracles || o.Oracles > 16:
		return fielderr.New(fmt.Errorf("threshold %d of %d oracles: want 1 <= threshold <= oracles <= 16", o.Threshold, o.Oracles), "", "Oracles", "Threshold")
	}
	return nil
}

// Start builds the devnet up to a running oracle node with registered machines;
// StartAgents then lets the machines attest. On error everything started is stopped.
func Start(ctx context.Context, opts Options) (*Devnet, error) {
	if err := opts.Check(); err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	opts.defaults()
	d := &Devnet{opts: opts, log: opts.Logger, MaxAnchorAge: 64}
	if err := d.start(ctx); err != nil {
		if cerr := d.Close(); cerr != nil {
			d.log.Warn("devnet: stop after failed start", "err", cerr)
		}
		return nil, err
	}
	return d, nil
}

func (d *Devnet) start(ctx context.Context) (err error) {
	opts := d.opts
	if d.dataDir = opts.DataDir; d.dataDir == "" {
		if d.tmpDir, err = os.MkdirTemp("", "teeoracle-devnet-*"); err != nil {
			return err
		}
		d.dataDir = d.tmpDir
	} else if err = os.MkdirAll(d.dataDir, 0o700); err != nil {
		return err
	}
	var owner, provider, oracle common.Address
	if d.Owner, owner, err = newKey(); err != nil {
		return err
	}
	if d.Provider, provider, err = newKey(); err != nil {
		return err
	}
	if d.Oracle, oracle, err = newKey(); err != nil {
		return err
	}
	funded := []common.Address{owner, provider, oracle}
	for i := 1; i < opts.Oracles; i++ {
		o := &otherNode{name: fmt.Sprintf("oracle-%d", i+1)}
		var addr common.Address
		if o.key, addr, err = newKey(); err != nil {
			return err
		}
		if o.addr, err = freeAddr(); err != nil {
			return err
		}
		d.others = append(d.others, o)
		funded = append(funded, addr)
	}
	if opts.Anvil {
		wd, _ := os.Getwd()
		bin, ferr := FindAnvil(opts.AnvilPath, wd)
		if ferr != nil {
			return ferr
		}
		if d.Chain, err = startAnvil(ctx, bin, funded, opts.BlockInterval); err != nil {
			return err
		}
	} else if d.Chain, err = startSimulated(funded, opts.BlockInterval); err != nil {
		return err
	}
	if err := d.deploy(ctx); err != nil {
		return err
	}
	if err := d.hardware(ctx); err != nil {
		return err
	}
	if err := d.registerPolicy(ctx); err != nil {
		return err
	}
	if err := d.StartNode(ctx); err != nil {
		return err
	}
	if err := d.startOthers(ctx); err != nil {
		return err
	}
	for i := range max(0, opts.SNPMachines) {
		if _, err := d.AddMachine(ctx, evidence.TEESEVSNP, fmt.Sprintf("snp-%d", i+1)); err != nil {
			return err
		}
	}
	for i := range max(0, opts.TDXMachines) {
		if _, err := d.AddMachine(ctx, evidence.TEETDX, fmt.Sprintf("tdx-%d", i+1)); err != nil {
			return err
		}
	}
	return nil
}

func (d *Devnet) record(what string, r *types.Receipt) {
	if r == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.txs = append(d.txs, Tx{What: what, Hash: r.TxHash, Block: r.BlockNumber.Uint64(), GasUsed: r.GasUsed})
}

// Txs returns the transactions so far.
func (d *Devnet) Txs() []Tx {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Tx(nil), d.txs...)
}

// deploy deploys the registry (owner governs; the devnet's oracles and quorum) and
// the example consumer.
func (d *Devnet) deploy(ctx context.Context) error {
	opts := bind.NewKeyedTransactor(d.Owner, new(big.Int).SetUint64(d.Chain.ChainID))
	s, err := chain.NewDirectSender(d.Chain.Client, opts, d.Chain.Mine())
	if err != nil {
		return err
	}
	s.PollInterval = 50 * time.Millisecond
	d.sender = s
	owner, oracle := crypto.PubkeyToAddress(d.Owner.PublicKey), crypto.PubkeyToAddress(d.Oracle.PublicKey)
	oracles := []common.Address{oracle}
	for _, o := range d.others {
		oracles = append(oracles, crypto.PubkeyToAddress(o.key.PublicKey))
	}
	reg, rcpt, err := chain.DeployRegistry(ctx, d.Chain.Client, s, owner, oracles, uint8(d.opts.Threshold), d.MaxAnchorAge)
	d.record(fmt.Sprintf("deploy TeeRegistry (%d oracles, threshold %d)", len(oracles), d.opts.Threshold), rcpt)
	if err != nil {
		return err
	}
	d.Registry = reg
	cons, rcpt, err := chain.DeployConsumer(ctx, reg, s, common.Hash{})
	d.record("deploy TrustedWorkerExample", rcpt)
	if err != nil {
		return err
	}
	d.Consumer = cons
	return nil
}

// hardware creates the devnet-only AMD and Intel authorities and the appraiser that
// trusts them (and nothing else).
func (d *Devnet) hardware(ctx context.Context) error {
	now := d.opts.Now()
	var err error
	if d.SNP, err = fakehw.NewSNPAuthority(now); err != nil {
		return err
	}
	if d.TDX, err = fakehw.NewTDXAuthority(ctx, now); err != nil {
		return err
	}
	snp, err := appraise.NewSNP(appraise.SNPConfig{Roots: d.SNP.Roots(), Collateral: service.RecordingSNP{Inner: d.SNP.Collateral()}, Logger: d.log})
	if err != nil {
		return err
	}
	tdx, err := appraise.NewTDX(appraise.TDXConfig{Root: d.TDX.Root(), Collateral: service.RecordingTDX{Inner: d.TDX.Collateral()}})
	if err != nil {
		return err
	}
	d.Appraiser = appraise.ByTEE{SNP: snp, TDX: tdx}
	return nil
}

// DevnetPolicy returns the devnet policy: the binding required, the devnet machines'
// measurements allowed, everything else the default (strict) rules.
func DevnetPolicy(validity time.Duration) (*policy.Policy, error) {
	mrtd, _ := fakehw.DefaultTDXMeasurements()
	doc := fmt.Sprintf(`version: 1
name: devnet (trusts only the devnet-only simulated hardware roots of one devnet run)
validity_seconds: %d
report_data: {require_binding: true}
snp:
  allowed_measurements: ["0x%x"]
tdx:
  allowed_measurements: ["0x%x"]
`, uint64(validity/time.Second), fakehw.DefaultSNPMeasurement(), mrtd)
	return policy.Parse([]byte(doc))
}

func (d *Devnet) registerPolicy(ctx context.Context) error {
	p, err := DevnetPolicy(d.opts.Validity)
	if err != nil {
		return err
	}
	if d.PolicyHash, err = p.Hash(); err != nil {
		return err
	}
	d.Policy = p
	rcpt, err := d.Registry.Transact(ctx, d.sender, d.Registry.RegisterPolicyTx(d.PolicyHash, p.ValiditySeconds, "devnet://policy"))
	d.record("registerPolicy (devnet policy)", rcpt)
	return err
}

// StartNode starts the oracle node (again, after StopNode, on the same address
// and database).
func (d *Devnet) StartNode(ctx context.Context) error {
	if d.node != nil && !d.node.Stopped() {
		return errors.New("devnet: oracle node already running")
	}
	if d.st == nil {
		st, err := store.Open(filepath.Join(d.dataDir, "node.db"), service.StoreOptions(d.log))
		if err != nil {
			return err
		}
		d.st = st
	}
	listen := d.opts.Listen
	if d.apiAddr != "" {
		listen = d.apiAddr
	}
	var peers []string
	for _, o := range d.others {
		peers = append(peers, "http://"+o.addr)
	}
	explorer, err := d.explorer()
	if err != nil {
		return err
	}
	cfg := d.nodeConfig(api.Config{Listen: listen, Explorer: explorer}, d.Oracle, d.st, peers, d.log)
	svc, err := service.New(cfg, d.Chain.Client)
	if err != nil {
		return err
	}
	if err := svc.Start(ctx); err != nil {
		return err
	}
	d.node, d.nodeCfg, d.apiAddr = svc, cfg, svc.APIAddr()
	return nil
}

// nodeConfig is the configuration of one of the devnet's oracle nodes: fast
// polling and short epochs, so that a devnet round takes seconds.
func (d *Devnet) nodeConfig(a api.Config, key *ecdsa.PrivateKey, st *store.Store, peers []string, log *slog.Logger) service.Config {
	if d.opts.API != nil {
		d.opts.API(&a)
	}
	c := service.Config{
		API:                a,
		Registry:           d.Registry.Address(),
		ChainID:            d.Chain.ChainID,
		OracleKey:          key,
		Policy:             d.Policy,
		Appraiser:          d.Appraiser,
		Store:              st,
		Peers:              peers,
		PollInterval:       100 * time.Millisecond,
		ReappraiseInterval: 5 * time.Second,
		ReappraiseEpoch:    10 * time.Second,
		DueWithin:          d.opts.Validity / 3,
		TxManager: chain.TxManagerConfig{MaxFeeCap: big.NewInt(500e9), ReceiptQueryInterval: 100 * time.Millisecond,
			ResubmissionTimeout: 10 * time.Second, RetryInterval: 100 * time.Millisecond},
		Metrics: prometheus.NewRegistry(),
		Logger:  log,
	}
	if d.opts.Node != nil {
		d.opts.Node(&c)
	}
	return c
}

// StopNode stops the oracle node (the chain and the machines keep running), to
// show and test that agents survive an oracle outage.
func (d *Devnet) StopNode(ctx context.Context) error {
	if d.node == nil {
		return nil
	}
	return d.node.Stop(ctx)
}

// APIURL is the oracle node's API base URL.
func (d *Devnet) APIURL() string { return "http://" + d.apiAddr }

// explorer is the registry explorer over the devnet's chain endpoint. It is given
// the devnet's test-only roots, so that the page re-verifies the devnet's verdicts
// (which no AMD or Intel root signs) and labels them as reproduced under test-only
// roots.
func (d *Devnet) explorer() (http.Handler, error) {
	opts := web.Options{RPCURL: d.Chain.URL, Registry: d.Registry.Address(), TestRoots: ExplorerTestRoots(d.SNP, d.TDX)}
	if d.opts.ExplorerWasm != "" {
		if _, err := os.Stat(filepath.Join(d.opts.ExplorerWasm, "teeoracle.wasm")); err != nil {
			return nil, fmt.Errorf("explorer: no teeoracle.wasm in %s (build it with scripts/build-wasm): %w", d.opts.ExplorerWasm, err)
		}
		opts.Wasm = os.DirFS(d.opts.ExplorerWasm)
	}
	h, err := web.New(opts)
	if err != nil {
		return nil, fmt.Errorf("explorer: %w", err)
	}
	return h, nil
}

// ExplorerTestRoots are the roots of simulated hardware as the registry explorer
// takes them (web.Options.TestRoots), labelled "devnet".
func ExplorerTestRoots(snp *fakehw.SNPAuthority, tdx *fakehw.TDXAuthority) *web.TestRoots {
	r := &web.TestRoots{Label: "devnet", TDXRoot: tdx.Root()}
	for _, line := range snp.Roots().ProductLines() {
		s := snp.Roots().Set(line)
		r.SNP = append(r.SNP, *s)
	}
	return r
}

// OracleAddress is the oracle's signing address.
func (d *Devnet) OracleAddress() common.Address { return crypto.PubkeyToAddress(d.Oracle.PublicKey) }

// AddMachine makes a simulated machine of the given TEE, registers it in the
// registry from the provider's account, and authorises its TEE key (the provider's
// consent its first verdict needs).
func (d *Devnet) AddMachine(ctx context.Context, tee evidence.TEE, name string) (*Machine, error) {
	m := &Machine{Name: name, TEE: tee, Salt: crypto.Keccak256Hash([]byte("teeoracle devnet machine " + name)),
		KeyFile: filepath.Join(d.dataDir, "machines", name, "tee-key")}
	if err := d.addHardware(m); err != nil {
		return nil, err
	}
	id, err := d.RegisterMachine(ctx, m.Salt, tee, "devnet://"+name)
	if err != nil {
		return nil, err
	}
	m.ID = id
	key, _, err := agent.LoadOrCreateKey(m.KeyFile)
	if err != nil {
		return nil, err
	}
	if err := d.AuthorizeKey(ctx, id, crypto.PubkeyToAddress(key.PublicKey)); err != nil {
		return nil, err
	}
	d.Machines = append(d.Machines, m)
	return m, nil
}

// DevnetWorkload is what every devnet machine runs: one digest-pinned image and
// a compose file naming it. SEV-SNP machines are launched with HOST_DATA = its
// digest; TDX machines boot fakehw.DefaultTDXBoot and record it in RTMR3.
func DevnetWorkload() *workload.Description {
	img := sha256.Sum256([]byte("teeoracle devnet app image"))
	ref := fmt.Sprintf("ghcr.io/teeoracle/devnet-app@sha256:%x", img)
	compose := sha256.Sum256([]byte("services:\n  app:\n    image: " + ref + "\n"))
	return &workload.Description{Name: "devnet-app", Images: []string{ref}, ComposeSHA256: compose[:]}
}

// addHardware makes m's simulated hardware, its evidence source (with the
// devnet workload's description, CCEL and runtime log) and its workload id.
func (d *Devnet) addHardware(m *Machine) error {
	w := DevnetWorkload()
	dg := w.Digest()
	switch m.TEE {
	case evidence.TEESEVSNP:
		chip, err := d.SNP.NewChip(fakehw.SNPChipOptions{ChipID: byte(len(d.Machines)), HostData: dg[:]})
		if err != nil {
			return err
		}
		m.Source = agent.WorkloadSource{Inner: agent.SNPQuoteSource{QP: chip.QuoteProvider()}, Workload: w}
		m.WorkloadID, err = verdict.WorkloadIDV2SNP(chip.Measurement(), dg)
		return err
	case evidence.TEETDX:
		boot := fakehw.DefaultTDXBoot()
		td, err := d.TDX.NewMachine(fakehw.TDXMachineOptions{Boot: &boot})
		if err != nil {
			return err
		}
		// A new TD starts with RTMR3 at zero: a runtime log left by an earlier run
		// is not this TD's.
		logPath := filepath.Join(d.dataDir, "machines", m.Name, "runtime-log.json")
		if err := os.Remove(logPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		log, err := agent.OpenRuntimeLog(logPath)
		if err != nil {
			return err
		}
		if err := agent.RecordWorkload(log, td, w); err != nil {
			return err
		}
		m.Source = agent.WorkloadSource{Inner: agent.TDXQuoteSource{QP: td}, Workload: w, Log: log,
			CCEL: func() ([]byte, []byte, error) { t, b := td.CCEL(); return t, b, nil }}
		r := td.RTMR()
		m.WorkloadID, err = verdict.WorkloadIDV2TDX(td.MRTD(), [3][]byte{r[0], r[1], r[2]}, dg)
		return err
	}
	return fmt.Errorf("devnet: unknown TEE %d", m.TEE)
}

// providerSender sends transactions from the provider's account.
func (d *Devnet) providerSender() (*chain.DirectSender, error) {
	opts := bind.NewKeyedTransactor(d.Provider, new(big.Int).SetUint64(d.Chain.ChainID))
	s, err := chain.NewDirectSender(d.Chain.Client, opts, d.Chain.Mine())
	if err != nil {
		return nil, err
	}
	s.PollInterval = 50 * time.Millisecond
	return s, nil
}

// AuthorizeKey authorises key for one of the provider's machines.
func (d *Devnet) AuthorizeKey(ctx context.Context, id common.Hash, key common.Address) error {
	s, err := d.providerSender()
	if err != nil {
		return err
	}
	rcpt, err := d.Registry.Transact(ctx, s, d.Registry.AuthorizeKeyTx(id, key))
	d.record(fmt.Sprintf("authorizeKey (%s)", key), rcpt)
	return err
}

// RegisterMachine registers a machine from the provider's account and returns its id.
func (d *Devnet) RegisterMachine(ctx context.Context, salt common.Hash, tee evidence.TEE, uri string) (common.Hash, error) {
	s, err := d.providerSender()
	if err != nil {
		return common.Hash{}, err
	}
	rcpt, err := d.Registry.Transact(ctx, s, d.Registry.RegisterMachineTx(salt, uint8(tee), uri))
	d.record(fmt.Sprintf("registerMachine (%s, %s)", uri, tee), rcpt)
	if err != nil {
		return common.Hash{}, err
	}
	return chain.MachineID(crypto.PubkeyToAddress(d.Provider.PublicKey), salt), nil
}

// AgentConfig returns the agent configuration the devnet uses for m: its key file,
// its evidence source, the node's API, short polling and backoff.
func (d *Devnet) AgentConfig(m *Machine) (agent.Config, error) {
	key, _, err := agent.LoadOrCreateKey(m.KeyFile)
	if err != nil {
		return agent.Config{}, err
	}
	o, err := agent.NewHTTPOracle(d.APIURL(), nil)
	if err != nil {
		return agent.Config{}, err
	}
	return agent.Config{
		MachineID: m.ID, Registry: d.Registry.Address(), ChainID: d.Chain.ChainID, Key: key,
		Source: m.Source, Oracle: o, PollInterval: 200 * time.Millisecond, RoundTimeout: time.Minute,
		Backoff: agent.Backoff{Initial: 250 * time.Millisecond, Max: 5 * time.Second},
		Logger:  d.log.With("machine", m.Name),
	}, nil
}

// StartAgents starts every machine's agent. With once, each agent stops after its
// first successful round; otherwise they keep re-attesting until Close. onRound is
// called (from the agents' goroutines) after every successful round.
func (d *Devnet) StartAgents(ctx context.Context, once bool, onRound func(*Machine, agent.Round)) error {
	actx, cancel := context.WithCancel(ctx)
	d.agentsCancel = cancel
	for _, m := range d.Machines {
		cfg, err := d.AgentConfig(m)
		if err != nil {
			cancel()
			return err
		}
		m := m
		cfg.OnRound = func(r agent.Round) {
			d.record(fmt.Sprintf("%s (%s, %s)", d.method(actx, r.TxHash), m.Name, r.Verdict.Status), d.receipt(actx, r.TxHash))
			m.mu.Lock()
			m.rounds = append(m.rounds, r)
			m.mu.Unlock()
			if onRound != nil {
				onRound(m, r)
			}
		}
		a, err := agent.New(cfg)
		if err != nil {
			cancel()
			return err
		}
		m.Agent = a
		d.agentsWG.Add(1)
		go func() {
			defer d.agentsWG.Done()
			if once {
				_, _ = a.AttestUntilDone(actx)
				return
			}
			_ = a.Run(actx)
		}()
	}
	return nil
}

// WaitAgents waits until every agent started with once has finished or ctx ends.
func (d *Devnet) WaitAgents(ctx context.Context) error {
	done := make(chan struct{})
	go func() { d.agentsWG.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Devnet) receipt(ctx context.Context, h common.Hash) *types.Receipt {
	if h == (common.Hash{}) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r, err := d.Chain.Client.TransactionReceipt(ctx, h)
	if err != nil {
		return nil
	}
	return r
}

// method names the registry function transaction h called (submitBatch for a
// node's batches, submitVerdicts for its fallback), or "verdict" when the
// transaction cannot be read.
func (d *Devnet) method(ctx context.Context, h common.Hash) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tx, _, err := d.Chain.Client.TransactionByHash(ctx, h)
	if err != nil || len(tx.Data()) < 4 {
		return "verdict"
	}
	m, err := d.Registry.ABI().MethodById(tx.Data()[:4])
	if err != nil {
		return "verdict"
	}
	return m.RawName
}

// Close stops the agents, the node, the store and the chain, and removes the
// temporary data directory. It is safe to call on a partly started devnet.
func (d *Devnet) Close() error {
	var errs []error
	if d.agentsCancel != nil {
		d.agentsCancel()
		d.agentsWG.Wait()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d.node != nil {
		if err := d.node.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	for _, o := range d.others {
		if o.node != nil {
			if err := o.node.Stop(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		if o.st != nil {
			if err := o.st.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if d.st != nil {
		if err := d.st.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if d.Chain != nil {
		if err := d.Chain.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if d.tmpDir != "" {
		if err := os.RemoveAll(d.tmpDir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
