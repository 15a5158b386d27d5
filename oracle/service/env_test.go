package service_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// chainEnv is a registry and an example consumer deployed on a real anvil.
type chainEnv struct {
	anvil    *testchain.Anvil
	url      string
	client   *ethclient.Client
	chainID  uint64
	owner    *ecdsa.PrivateKey
	registry common.Address
	consumer common.Address
	reg      *bindings.TeeRegistry

	mu        sync.Mutex
	providers map[common.Hash]*ecdsa.PrivateKey // machine id -> its provider's key
}

// requestTimeout bounds each request and chain call a test makes through ctxT.
const requestTimeout = 30 * time.Second

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newChain starts anvil with 1-second blocks and deploys the registry with the given
// oracles and threshold, and the consumer.
func newChain(t testing.TB, oracles []common.Address, threshold uint8, maxAnchorAge uint16, anvilArgs ...string) *chainEnv {
	t.Helper()
	a := testchain.StartAnvil(t, append([]string{"--block-time", "1"}, anvilArgs...)...)
	e := &chainEnv{anvil: a, url: a.URL, client: a.Client}
	deployInto(t, e, oracles, threshold, maxAnchorAge)
	return e
}

// deployInto deploys the registry and the consumer on e's chain.
func deployInto(t testing.TB, e *chainEnv, oracles []common.Address, threshold uint8, maxAnchorAge uint16) {
	t.Helper()
	e.reg = bindings.NewTeeRegistry()
	e.owner, _ = testchain.DevKey(0)
	a := struct{ Client *ethclient.Client }{e.client}
	id, err := a.Client.ChainID(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	e.chainID = id.Uint64()
	opts := e.opts(t, e.owner)
	addr, tx, err := bind.DeployContract(opts, common.FromHex(bindings.TeeRegistryMetaData.Bin), a.Client,
		e.reg.PackConstructor(crypto.PubkeyToAddress(e.owner.PublicKey), oracles, threshold, maxAnchorAge))
	if err != nil {
		t.Fatalf("deploy registry: %v", err)
	}
	e.wait(t, tx)
	e.registry = addr
	consumer := bindings.NewTrustedWorkerExample()
	caddr, tx, err := bind.DeployContract(e.opts(t, e.owner), common.FromHex(bindings.TrustedWorkerExampleMetaData.Bin), a.Client,
		consumer.PackConstructor(addr, [32]byte{}))
	if err != nil {
		t.Fatalf("deploy consumer: %v", err)
	}
	e.wait(t, tx)
	e.consumer = caddr
}

func (e *chainEnv) opts(t testing.TB, key *ecdsa.PrivateKey) *bind.TransactOpts {
	o := bind.NewKeyedTransactor(key, new(big.Int).SetUint64(e.chainID))
	o.Context = ctxT(t)
	return o
}

func (e *chainEnv) wait(t testing.TB, tx *types.Transaction) *types.Receipt {
	t.Helper()
	r, err := bind.WaitMined(ctxT(t), e.client, tx.Hash())
	if err != nil {
		t.Fatalf("wait for %s: %v", tx.Hash(), err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("tx %s reverted", tx.Hash())
	}
	return r
}

// send sends calldata to the registry from key and waits for success.
func (e *chainEnv) send(t testing.TB, key *ecdsa.PrivateKey, data []byte) {
	t.Helper()
	c := e.reg.Instance(e.client, e.registry)
	tx, err := c.RawTransact(e.opts(t, key), data)
	if err != nil {
		t.Fatalf("registry call: %v", err)
	}
	e.wait(t, tx)
}

func (e *chainEnv) registerPolicy(t testing.TB, p *policy.Policy) common.Hash {
	t.Helper()
	h, err := p.Hash()
	if err != nil {
		t.Fatal(err)
	}
	e.send(t, e.owner, e.reg.PackRegisterPolicy(h, p.ValiditySeconds, "test://policy"))
	return h
}

func (e *chainEnv) registerMachine(t testing.TB, provider *ecdsa.PrivateKey, salt byte, tee uint8) common.Hash {
	t.Helper()
	var s [32]byte
	s[31] = salt
	return e.registerMachineSalt(t, provider, s, tee)
}

// registerMachineSalt registers a machine of provider under the whole salt s.
func (e *chainEnv) registerMachineSalt(t testing.TB, provider *ecdsa.PrivateKey, s [32]byte, tee uint8) common.Hash {
	t.Helper()
	e.send(t, provider, e.reg.PackRegisterMachine(s, tee, "test://machine"))
	out, err := e.client.CallContract(ctxT(t), ethereum.CallMsg{To: &e.registry,
		Data: e.reg.PackMachineIdOf(crypto.PubkeyToAddress(provider.PublicKey), s)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.reg.UnpackMachineIdOf(out)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	if e.providers == nil {
		e.providers = map[common.Hash]*ecdsa.PrivateKey{}
	}
	e.providers[id] = provider
	e.mu.Unlock()
	return id
}

// authorize has the machine's provider authorise key for it.
func (e *chainEnv) authorize(t testing.TB, id common.Hash, key common.Address) {
	t.Helper()
	e.mu.Lock()
	p := e.providers[id]
	e.mu.Unlock()
	if p == nil {
		t.Fatalf("authorize: machine %s was not registered by this test", id)
	}
	e.send(t, p, e.reg.PackAuthorizeKey(id, key))
}

func (e *chainEnv) isTrusted(t testing.TB, id common.Hash) bool {
	t.Helper()
	out, err := e.client.CallContract(ctxT(t), ethereum.CallMsg{To: &e.registry, Data: e.reg.PackIsTrusted(id)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := e.reg.UnpackIsTrusted(out)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// consumerAccepts reports whether the example consumer's gated submitResult accepts
// a call from key (an eth_call: no transaction needed).
func (e *chainEnv) consumerAccepts(t testing.TB, key common.Address) bool {
	t.Helper()
	data := bindings.NewTrustedWorkerExample().PackSubmitResult([32]byte{1})
	_, err := e.client.CallContract(ctxT(t), ethereum.CallMsg{From: key, To: &e.consumer, Data: data}, nil)
	return err == nil
}

func (e *chainEnv) machine(t testing.TB, id common.Hash) bindings.ITeeRegistryMachineRecord {
	t.Helper()
	out, err := e.client.CallContract(ctxT(t), ethereum.CallMsg{To: &e.registry, Data: e.reg.PackMachine(id)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.reg.UnpackMachine(out)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// rpc calls an anvil-specific method.
func (e *chainEnv) rpc(t testing.TB, method string, args ...any) {
	t.Helper()
	if err := e.client.Client().CallContext(ctxT(t), nil, method, args...); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// testPolicy trusts the test-only chain's reports with the given measurements and
// requires the report-data binding.
func testPolicy(t testing.TB, name string, validity uint64, measurements ...[48]byte) *policy.Policy {
	t.Helper()
	doc := fmt.Sprintf("version: 1\nname: %s\nvalidity_seconds: %d\nreport_data: {require_binding: true}\nsnp:\n  allowed_measurements:\n", name, validity)
	for _, m := range measurements {
		doc += fmt.Sprintf("    - \"0x%x\"\n", m[:])
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("test policy: %v", err)
	}
	return p
}

// node is one oracle node running in process.
type node struct {
	svc   *service.Service
	store *store.Store
	url   string
	key   *ecdsa.PrivateKey
	// passes signals the end of each of the publisher's passes.
	passes *passes
	// tracks signals the end of each of the registry tracker's passes.
	tracks *passes
}

// passes is a signal the publisher fires after each pass over the signed verdicts
// (service.Config.AfterPublishPass), or the tracker after each pass over the
// registry's events (service.Config.AfterTrackPass), so a test can wait for the publisher's
// decision about a verdict instead of sleeping through "a few passes".
type passes struct {
	mu   sync.Mutex
	done chan struct{} // closed at the end of the current pass, then replaced
	n    int           // passes ended
}

func newPasses() *passes { return &passes{done: make(chan struct{})} }

func (p *passes) pass() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.done)
	p.done = make(chan struct{})
	p.n++
}

// count returns how many passes have ended.
func (p *passes) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func (p *passes) next() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// wait returns once k passes have ended since it was called. With k >= 2 at least
// one whole pass began after the call, so it saw everything in the store as it
// was at the call.
func (p *passes) wait(t testing.TB, k int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for i := range k {
		select {
		case <-p.next():
		case <-deadline:
			t.Fatalf("%d of %d passes ended in %s", i, k, timeout)
		}
	}
}

// eventually calls cond every interval until it holds, and reports whether it did
// within timeout. It is for waiting until something happens (a state reached, a
// metric counted, a file deleted); showing that something did not happen needs a
// signal from the code under test instead (passes).
func eventually(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

type nodeOpts struct {
	key        *ecdsa.PrivateKey
	policy     *policy.Policy
	snp        *fakeSNP
	snpColl    appraise.SNPCollateral       // the SNP collateral source; nil: snp's CRLs
	tdx        *fakehw.TDXAuthority         // nil: the node appraises no TDX evidence
	tdxColl    appraise.TDXCollateralSource // the TDX collateral source; nil: tdx's collateral
	peers      []string
	noForward  bool
	listen     string
	dir        string
	rpc        service.RPC
	reappEvery time.Duration
	epoch      time.Duration // ReappraiseEpoch; 0: 1 s
	collWait   time.Duration
	collRetry  time.Duration
	now        func() time.Time  // nil: time.Now
	retain     time.Duration     // RetainFailed
	maxFailed  int               // MaxFailedPerMachine
	api        func(*api.Config) // adjusts the API's configuration
	dueFresh   time.Duration     // DueFresh; 0: the default
	logs       io.Writer         // also receives the node's log (warnings and above)
}

func startNode(t testing.TB, e *chainEnv, o nodeOpts) *node {
	t.Helper()
	dir := o.dir
	if dir == "" {
		dir = t.TempDir()
	}
	var logTo io.Writer = testWriter{t}
	if o.logs != nil {
		logTo = io.MultiWriter(logTo, o.logs)
	}
	log := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(filepath.Join(dir, "node.db"), service.StoreOptions(log))
	if err != nil {
		t.Fatal(err)
	}
	var by appraise.ByTEE
	if o.snp != nil {
		var coll appraise.SNPCollateral = o.snp.crls
		if o.snpColl != nil {
			coll = o.snpColl
		}
		if by.SNP, err = appraise.NewSNP(appraise.SNPConfig{Roots: o.snp.roots, Collateral: service.RecordingSNP{Inner: coll}, Logger: log}); err != nil {
			t.Fatal(err)
		}
	}
	if o.tdx != nil {
		var coll appraise.TDXCollateralSource = o.tdx.Collateral()
		if o.tdxColl != nil {
			coll = o.tdxColl
		}
		if by.TDX, err = appraise.NewTDX(appraise.TDXConfig{Root: o.tdx.Root(), Collateral: service.RecordingTDX{Inner: coll}}); err != nil {
			t.Fatal(err)
		}
	}
	listen := o.listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	rpc := o.rpc
	if rpc == nil {
		rpc = e.client
	}
	ps, ts := newPasses(), newPasses()
	reapp, epoch := cmp.Or(o.reappEvery, time.Second), cmp.Or(o.epoch, time.Second)
	cfg := service.Config{
		API:                 api.Config{Listen: listen, RateLimit: -1},
		Registry:            e.registry,
		ChainID:             e.chainID,
		OracleKey:           o.key,
		Policy:              o.policy,
		Appraiser:           by,
		Store:               st,
		Peers:               o.peers,
		NoForward:           o.noForward,
		PollInterval:        200 * time.Millisecond,
		RelayDelay:          1500 * time.Millisecond,
		QuorumTimeout:       time.Minute,
		ReappraiseInterval:  reapp,
		ReappraiseEpoch:     epoch,
		DueWithin:           10 * time.Minute,
		DueFresh:            o.dueFresh,
		CollateralWait:      o.collWait,
		CollateralRetry:     o.collRetry,
		HealthInterval:      300 * time.Millisecond,
		Now:                 o.now,
		RetainFailed:        o.retain,
		MaxFailedPerMachine: o.maxFailed,
		AfterPublishPass:    ps.pass,
		AfterTrackPass:      ts.pass,
		TxManager: chain.TxManagerConfig{MaxFeeCap: big.NewInt(500e9), ReceiptQueryInterval: 200 * time.Millisecond,
			ResubmissionTimeout: 5 * time.Second, RetryInterval: 100 * time.Millisecond},
		Logger: log,
	}
	if o.api != nil {
		o.api(&cfg.API)
	}
	svc, err := service.New(cfg, rpc)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	n := &node{svc: svc, store: st, url: "http://" + svc.APIAddr(), key: o.key, passes: ps, tracks: ts}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Stop(ctx); err != nil {
			t.Errorf("stop node: %v", err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return n
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// httpJSON does a request and decodes a JSON answer into out (when non-nil).
func httpJSON(t testing.TB, method, url, ctype string, body []byte, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		// How long the request took tells a node that did not answer (about
		// requestTimeout) from a test process that was not running at all (far
		// longer: every timer of the process fired late, as under a machine-wide
		// memory stall).
		t.Fatalf("%s %s: %v (after %s; the request's deadline is %s)", method, url, err,
			time.Since(start).Round(time.Millisecond), requestTimeout)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: HTTP %d: decode %q: %v", method, url, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// agent is a test-only in-VM agent: it asks a node for a challenge and submits
// evidence bound to it, with its key's proof of possession.
type agent struct {
	snp     *fakeSNP
	machine common.Hash
	key     *ecdsa.PrivateKey
	teeKey  common.Address

	mu         sync.Mutex
	challenges map[uint64]api.Challenge // by anchor block
}

// newAgent returns an agent with a fresh TEE key, which the machine's provider
// authorises (as a provider does before a machine's first attestation).
func (e *chainEnv) newAgent(t testing.TB, f *fakeSNP, machine common.Hash) *agent {
	t.Helper()
	a := newStrangerAgent(t, f, machine)
	e.authorize(t, machine, a.teeKey)
	return a
}

// newStrangerAgent returns an agent whose key no provider authorised.
func newStrangerAgent(t testing.TB, f *fakeSNP, machine common.Hash) *agent {
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &agent{snp: f, machine: machine, key: k, teeKey: crypto.PubkeyToAddress(k.PublicKey),
		challenges: map[uint64]api.Challenge{}}
}

// pop is the agent's proof of possession for the challenge it got at anchor and
// the evidence in bundle (an unknown anchor is signed with a zero block hash, which
// no node accepts), signed with the agent's key whatever key it claims (a
// stranger's agent claims keys it does not hold).
func (a *agent) pop(t testing.TB, anchor uint64, bundle []byte) []byte {
	t.Helper()
	a.mu.Lock()
	ch, ok := a.challenges[anchor]
	a.mu.Unlock()
	b := verdict.Binding{MachineID: a.machine, TEEKey: a.teeKey, AnchorBlockNumber: anchor}
	if ok {
		b = verdict.Binding{ChainID: ch.ChainID, Registry: ch.Registry, MachineID: ch.MachineID, TEEKey: ch.TEEKey,
			AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash}
	}
	h := b.PossessionDigest(evidenceHash(t, bundle))
	sig, err := crypto.Sign(h[:], a.key)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// evidenceHash is the canonical hash of the evidence in bundle, which a proof of
// possession covers.
func evidenceHash(t testing.TB, bundle []byte) common.Hash {
	t.Helper()
	ev, err := evidence.Decode("bundle", bundle)
	if err != nil {
		t.Fatalf("decode bundle: %v", err)
	}
	return ev.Hash()
}

func (a *agent) challenge(t testing.TB, n *node) api.Challenge {
	t.Helper()
	url := fmt.Sprintf("%s/v1/challenge?machine_id=%s&tee_key=%s", n.url, a.machine, a.teeKey)
	// 503 means "no block newer than the machine's current verdict yet", or the node
	// could not read the chain: retry, as an agent does.
	var ch api.Challenge
	code := retryUnavailable(t, "challenge", agentBudget, func() int {
		ch = api.Challenge{}
		return httpJSON(t, "GET", url, "", nil, &ch)
	})
	if code != 200 {
		t.Fatalf("challenge: HTTP %d", code)
	}
	a.mu.Lock()
	a.challenges[ch.AnchorBlockNumber] = ch
	a.mu.Unlock()
	return ch
}

// evidenceFor makes bundle evidence bound to ch.
func (a *agent) evidenceFor(t testing.TB, ch api.Challenge, meas [48]byte, mut func(*reportOpts)) []byte {
	t.Helper()
	rd, err := hexutil.Decode(ch.ReportData)
	if err != nil || len(rd) != 64 {
		t.Fatalf("challenge report data %q", ch.ReportData)
	}
	o := reportOpts{measurement: meas}
	copy(o.reportData[:], rd)
	if mut != nil {
		mut(&o)
	}
	return a.snp.bundle(t, o)
}

type submitAnswer struct {
	api.SubmitResult
	Error string `json:"error"`
	Field string `json:"field"`
}

func (a *agent) submit(t testing.TB, n *node, anchor uint64, bundle []byte) (int, submitAnswer) {
	t.Helper()
	return submitWith(t, n, a.machine, a.teeKey, anchor, a.pop(t, anchor, bundle), bundle)
}

// submitWith posts bundle to POST /v1/evidence with the parameters given, as
// whoever sends them (an attacker may send another's).
func submitWith(t testing.TB, n *node, machine common.Hash, teeKey common.Address, anchor uint64, pop, bundle []byte) (int, submitAnswer) {
	t.Helper()
	url := fmt.Sprintf("%s/v1/evidence?machine_id=%s&tee_key=%s&anchor_block=%d&pop=%s", n.url, machine, teeKey, anchor,
		hexutil.Encode(pop))
	// 503 means the node could not ask the chain: retry, as an agent does.
	var out submitAnswer
	code := retryUnavailable(t, "submit", agentBudget, func() int {
		out = submitAnswer{}
		return httpJSON(t, "POST", url, "application/json", bundle, &out)
	})
	return code, out
}

// waitState polls a submission until it reaches a terminal state or want.
func waitState(t testing.TB, n *node, id string, timeout time.Duration, want ...string) api.SubmissionView {
	t.Helper()
	var v api.SubmissionView
	reached := eventually(timeout, 200*time.Millisecond, func() bool {
		v = api.SubmissionView{}
		if code := httpJSON(t, "GET", n.url+"/v1/submissions/"+id, "", nil, &v); code != 200 {
			t.Fatalf("submission %s: HTTP %d", id, code)
		}
		if slices.Contains(want, v.State) {
			return true
		}
		if v.State == "confirmed" || v.State == "failed" {
			t.Fatalf("submission %s ended %s (%s), want %v", id, v.State, v.Reason, want)
		}
		return false
	})
	if reached {
		return v
	}
	t.Fatalf("submission %s still %s (%s) after %s, want %v; quorum %+v", id, v.State, v.Reason, timeout, want, v.Quorum)
	return v
}

func measurement(b byte) [48]byte {
	var m [48]byte
	for i := range m {
		m[i] = b
	}
	return m
}

func mustEnvCI() bool { return os.Getenv("CI") != "" }

var errIgnored = errors.New("ignored")

func httpGetText(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func splitLines(s string) []string { return strings.Split(s, "\n") }
