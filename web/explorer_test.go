package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/devnet/devnettest"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
	"github.com/teeoracle/teeoracle/oracle/workload"
	"github.com/teeoracle/teeoracle/web"
)

var repoRoot = filepath.Join("..")

// browserTools returns node, chromium and playwright-core's module, skipping (or,
// under CI, failing) when one is missing.
func browserTools(t *testing.T) (node, chromium, playwright string) {
	t.Helper()
	missing := func(what string, err error) {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and %s is missing: %v", what, err)
		}
		t.Skipf("%s missing (%v); see docs/wasm.md, Explorer tests", what, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node", err)
	}
	if chromium, err = exec.LookPath("chromium"); err != nil {
		missing("chromium (apt-get install chromium)", err)
	}
	playwright, err = filepath.Abs(filepath.Join(repoRoot, ".tools", "playwright", "node_modules", "playwright-core", "index.mjs"))
	if err == nil {
		_, err = os.Stat(playwright)
	}
	if err != nil {
		missing("playwright-core (scripts/install-browser-test)", err)
	}
	return node, chromium, playwright
}

// oracleArchive is the node side of the oracle API (oracle/api Backend) holding what
// the test published: verdicts with their audit records, and the archive. The real
// API server serves it, so the page is tested against the API's real routes.
type oracleArchive struct {
	verdicts map[common.Hash]*api.VerdictView
	archive  map[string]map[common.Hash][]byte // kind -> hash -> bytes
}

var errNotHere = fmt.Errorf("%w: the explorer test's node only serves verdicts and the archive", api.ErrNotFound)

func (a *oracleArchive) Verdict(_ context.Context, h common.Hash) (*api.VerdictView, error) {
	if v, ok := a.verdicts[h]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("%w: verdict %s", api.ErrNotFound, h)
}

func (a *oracleArchive) Archive(_ context.Context, kind string, h common.Hash) ([]byte, error) {
	if b, ok := a.archive[kind][h]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s %s", api.ErrNotFound, kind, h)
}

func (a *oracleArchive) Challenge(context.Context, common.Hash, common.Address) (*api.Challenge, error) {
	return nil, errNotHere
}
func (a *oracleArchive) Submit(context.Context, *api.SubmitRequest) (*api.SubmitResult, error) {
	return nil, errNotHere
}
func (a *oracleArchive) Submission(context.Context, string) (*api.SubmissionView, error) {
	return nil, errNotHere
}
func (a *oracleArchive) Signature(context.Context, common.Hash) (*api.SignatureView, error) {
	return nil, errNotHere
}
func (a *oracleArchive) EvidenceVerdicts(context.Context, common.Hash) ([]common.Hash, error) {
	return nil, errNotHere
}
func (a *oracleArchive) Due(context.Context) ([]api.DueMachine, error) { return nil, nil }
func (a *oracleArchive) Ready(context.Context) error                   { return nil }

type explorerEnv struct {
	t        *testing.T
	ctx      context.Context
	client   *ethclient.Client
	reg      *chain.Registry
	owner    *chain.DirectSender
	provider *chain.DirectSender
	oracle   *ecdsa.PrivateKey
	archive  *oracleArchive
	v        *verifier.Verifier
	// batch makes publishWith submit with submitBatch (one signature over the batch,
	// VerdictRecorded) behind an entry the registry skips, instead of submitVerdict.
	batch bool
	// via, when set with batch, is a contract the batch is sent to, which forwards
	// it to the registry: the page cannot read the entries from that transaction.
	via *common.Address
}

// deployForwarder deploys a contract that calls the registry with whatever calldata
// it is sent (and fails when that call fails): a relay, as any contract may be.
func (e *explorerEnv) deployForwarder() common.Address {
	e.t.Helper()
	// CALLDATACOPY(0, 0, CALLDATASIZE); CALL(GAS, registry, 0, 0, CALLDATASIZE, 0, 0);
	// JUMPI to STOP on success, INVALID otherwise.
	runtime := append(append([]byte{0x36, 0x5f, 0x5f, 0x37, 0x5f, 0x5f, 0x36, 0x5f, 0x5f, 0x73}, e.reg.Address().Bytes()...),
		0x5a, 0xf1, 0x60, 0x24, 0x57, 0xfe, 0x5b, 0x00)
	// CODECOPY(0, 9, len); RETURN(0, len).
	initCode := append([]byte{0x60, byte(len(runtime)), 0x80, 0x60, 0x09, 0x5f, 0x39, 0x5f, 0xf3}, runtime...)
	rcpt, err := e.reg.Transact(e.ctx, e.owner, chain.TxCandidate{Data: initCode})
	if err != nil {
		e.t.Fatal(err)
	}
	return rcpt.ContractAddress
}

func (e *explorerEnv) send(s chain.Sender, c chain.TxCandidate) {
	e.t.Helper()
	if _, err := e.reg.Transact(e.ctx, s, c); err != nil {
		e.t.Fatal(err)
	}
}

func (e *explorerEnv) register(salt byte, tee uint8) common.Hash {
	e.t.Helper()
	s := common.Hash{salt}
	e.send(e.provider, e.reg.RegisterMachineTx(s, tee, fmt.Sprintf("https://provider.example/vm/%d", salt)))
	return chain.MachineID(e.provider.From(), s)
}

// authorize has the provider authorise key for machine.
func (e *explorerEnv) authorize(machine common.Hash, key common.Address) {
	e.t.Helper()
	e.send(e.provider, e.reg.AuthorizeKeyTx(machine, key))
}

// bindEarly binds key to machine with a trusted verdict issued at unix second 1
// (and long expired), signed by the test oracle: the machine's earlier life, so
// that the untrusted verdict of a real case, which can only downgrade a bound key,
// can be published for it.
func (e *explorerEnv) bindEarly(machine common.Hash, key common.Address) {
	e.t.Helper()
	e.authorize(machine, key)
	m, err := e.reg.Machine(e.ctx, machine)
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := e.headers()
	if err != nil {
		e.t.Fatal(err)
	}
	defHash, err := policy.Default().Hash()
	if err != nil {
		e.t.Fatal(err)
	}
	v := verdict.Verdict{MachineID: machine, TEE: m.TEE, Status: verdict.StatusTrusted, TEEKey: key, PolicyHash: defHash,
		AnchorBlockNumber: h.parentNumber, AnchorBlockHash: h.parentHash, IssuedAt: 1, ExpiresAt: 2}
	sig, err := verdict.SignVerdict(&v, e.reg.Domain(), e.oracle)
	if err != nil {
		e.t.Fatal(err)
	}
	tx, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: [][]byte{sig}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.send(e.owner, tx)
}

// publish verifies a real case for machine, submits the verdict with the oracle's
// signature, and archives what re-verification needs, as a node would. Real
// evidence is bound to nothing of this chain, so its verdict is untrusted: the key
// is bound first (bindEarly).
func (e *explorerEnv) publish(c verifiertest.Case, machine common.Hash, key common.Address) common.Hash {
	e.t.Helper()
	e.bindEarly(machine, key)
	req := *c.Request
	req.Domain = e.reg.Domain()
	req.Binding = &verifier.Binding{MachineID: machine, TEEKey: key, AnchorBlockNumber: 1, AnchorBlockHash: common.Hash{0xa}}
	return e.publishWith(e.v, &req, nil)
}

// publishWith verifies req with v, submits the verdict and archives its inputs; with
// wantTrusted set, the verdict must have that status.
func (e *explorerEnv) publishWith(vf *verifier.Verifier, reqIn *verifier.Request, wantTrusted *bool) common.Hash {
	e.t.Helper()
	req := *reqIn
	res, err := vf.Verify(e.ctx, &req)
	if err != nil {
		e.t.Fatal(err)
	}
	if wantTrusted != nil && res.Decision.Trusted != *wantTrusted {
		e.t.Fatalf("%s: trusted %v, want %v (%v)", req.Evidence.Name, res.Decision.Trusted, *wantTrusted, res.Decision.Reasons.Names())
	}
	machine, key := req.Binding.MachineID, req.Binding.TEEKey
	v := res.Decision.Verdict
	if h, err := e.reg.HashVerdict(e.ctx, &v); err != nil || h != res.VerdictHash {
		e.t.Fatalf("registry hashVerdict %s (%v), verifier %s", h, err, res.VerdictHash)
	}
	sig, err := verdict.SignVerdict(&v, req.Domain, e.oracle)
	if err != nil {
		e.t.Fatal(err)
	}
	if e.batch {
		e.submitBatch(&v)
	} else {
		tx, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: [][]byte{sig}})
		if err != nil {
			e.t.Fatal(err)
		}
		e.send(e.owner, tx)
	}

	bundle, err := res.Evidence.MarshalBundle()
	if err != nil {
		e.t.Fatal(err)
	}
	canon, err := res.Policy.CanonicalJSON()
	if err != nil {
		e.t.Fatal(err)
	}
	e.archive.archive["evidence"][res.EvidenceHash] = bundle
	e.archive.archive["policy"][res.PolicyHash] = canon
	rec := audit.Record{VerdictHash: res.VerdictHash, EvidenceHash: res.EvidenceHash, PolicyHash: res.PolicyHash,
		AsOf: res.At.Unix(), ChainID: req.Domain.ChainID, Registry: req.Domain.Registry, MachineID: machine,
		TEEKey: key, AnchorNumber: req.Binding.AnchorBlockNumber, AnchorHash: req.Binding.AnchorBlockHash, Trusted: res.Decision.Trusted,
		Reasons: res.Decision.Reasons.Names(), Collateral: []audit.Item{}}
	for _, item := range collateralItems(e.t, &req) {
		h := sha256.Sum256(item.body)
		e.archive.archive["collateral"][h] = item.body
		rec.Collateral = append(rec.Collateral, audit.Item{Kind: item.kind, SHA256: h})
	}
	audit, _ := json.Marshal(rec)
	vj, _ := json.Marshal(v)
	view := &api.VerdictView{Hash: res.VerdictHash, Verdict: vj, Audit: audit,
		Signatures: []api.SignatureView{{Signer: crypto.PubkeyToAddress(e.oracle.PublicKey), Signature: hexutil.Encode(sig)}}}
	e.archive.verdicts[res.VerdictHash] = view
	return res.VerdictHash
}

// submitBatch submits v with submitBatch as the second entry of a batch whose first
// entry the registry skips (an untrusted verdict for a key bound to nothing cannot
// bind it), so the page must pair the VerdictRecorded log with the right entry of
// the calldata. The calldata ends in one byte more than the arguments, which the
// registry ignores and anyone relaying a batch may add: the page must still read
// the entries. The receipt must hold one VerdictSkipped and one VerdictRecorded.
func (e *explorerEnv) submitBatch(v *verdict.Verdict) {
	e.t.Helper()
	skip := &verdict.Verdict{MachineID: common.Hash{0xee}, TEE: v.TEE, Status: verdict.StatusUntrusted,
		TEEKey: common.Address{0xee}, PolicyHash: v.PolicyHash, IssuedAt: 1, ExpiresAt: 2}
	vs := []*verdict.Verdict{skip, v}
	d := verdict.BatchDigest(e.reg.Domain(), vs)
	if h, err := e.reg.HashBatch(e.ctx, vs); err != nil || h != d {
		e.t.Fatalf("registry hashBatch %s (%v), verdict.BatchDigest %s", h, err, d)
	}
	sig, err := verdict.Sign(d, e.oracle)
	if err != nil {
		e.t.Fatal(err)
	}
	tx, err := e.reg.SubmitBatchTx(vs, [][]byte{sig})
	if err != nil {
		e.t.Fatal(err)
	}
	tx.Data = append(tx.Data, 0)
	if e.via != nil {
		tx.To = e.via
	}
	// The limit a relayer gives a batch: the registry tries an entry's binding path
	// only with its 200,000 entry reserve left (contracts/TeeRegistry.sol
	// ENTRY_GAS_RESERVE), so the limit carries it above the estimate, and a quarter
	// more for the refunds an estimate may count.
	est, err := e.client.EstimateGas(e.ctx, ethereum.CallMsg{From: e.owner.From(), To: tx.To, Data: tx.Data})
	if err != nil {
		e.t.Fatal(err)
	}
	tx.GasLimit = est + est/4 + chain.EntryGasReserve
	rcpt, err := e.reg.Transact(e.ctx, e.owner, tx)
	if err != nil {
		e.t.Fatal(err)
	}
	a := e.reg.ABI()
	count := map[common.Hash]int{}
	for _, l := range rcpt.Logs {
		count[l.Topics[0]]++
	}
	if count[a.Events["VerdictSkipped"].ID] != 1 || count[a.Events["VerdictRecorded"].ID] != 1 {
		e.t.Fatalf("submitBatch receipt: %d VerdictSkipped, %d VerdictRecorded; want one each", count[a.Events["VerdictSkipped"].ID], count[a.Events["VerdictRecorded"].ID])
	}
}

type item struct {
	kind string
	body []byte
}

// collateralItems turns a request's collateral into the node's archived kinds
// (oracle/service: snp-vcek, snp-crl, tdx-collateral).
func collateralItems(t *testing.T, req *verifier.Request) []item {
	t.Helper()
	var out []item
	for _, c := range req.Collateral.SNPCRLs {
		out = append(out, item{"snp-crl", c.Data})
	}
	for _, c := range req.Collateral.SNPVCEKs {
		out = append(out, item{"snp-vcek", c.Data})
	}
	if d := req.Collateral.TDXSet; d != nil {
		out = append(out, item{"tdx-collateral", d.Data})
	}
	if d := req.Collateral.TDXDcapQVL; d != nil {
		set, err := collateralSet(d.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, item{"tdx-collateral", set})
	}
	return out
}

// TestExplorerInChromium: against anvil with a deployed registry, the page lists
// the machines with the trust isTrusted gives, re-verification in the browser
// reproduces the on-chain verdict hash of real SEV-SNP and TDX evidence under AMD's
// and Intel's roots, reproduces the verdicts of devnet hardware (package fakehw)
// only under the devnet's test-only roots the explorer is given, labelled so, and
// shows tampered evidence files (real and devnet) as not reproduced. Screenshots go
// to dist/explorer-screenshots/.
func TestExplorerInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts anvil and Chromium")
	}
	node, chromium, playwright := browserTools(t)
	anvil := testchain.StartAnvil(t)
	// Five minutes, and more for a fleet larger than the default.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+time.Duration(fleetSize(t))*20*time.Millisecond)
	defer cancel()

	wasmDir := t.TempDir()
	if b, err := exec.Command(filepath.Join(repoRoot, "scripts", "build-wasm"), wasmDir).CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-wasm: %v\n%s", err, b)
	}

	chainID, err := anvil.Client.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sender := func(i int) *chain.DirectSender {
		key, _ := testchain.DevKey(i)
		s, err := chain.NewDirectSender(anvil.Client, bind.NewKeyedTransactor(key, chainID), nil)
		if err != nil {
			t.Fatal(err)
		}
		s.PollInterval = 20 * time.Millisecond
		return s
	}
	oracle, err := crypto.ToECDSA(crypto.Keccak256([]byte("explorer test oracle")))
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &explorerEnv{t: t, ctx: ctx, client: anvil.Client, owner: sender(0), provider: sender(1), oracle: oracle, v: v,
		archive: &oracleArchive{verdicts: map[common.Hash]*api.VerdictView{}, archive: map[string]map[common.Hash][]byte{
			"evidence": {}, "policy": {}, "collateral": {}}}}
	reg, receipt, err := chain.DeployRegistry(ctx, anvil.Client, e.owner, e.owner.From(), []common.Address{crypto.PubkeyToAddress(oracle.PublicKey)}, 1, 256)
	if err != nil {
		t.Fatal(err)
	}
	e.reg = reg
	defHash, err := policy.Default().Hash()
	if err != nil {
		t.Fatal(err)
	}
	e.send(e.owner, reg.RegisterPolicyTx(defHash, 86400, "teeoracle:default"))
	// A fleet registered first, so that the attested machines below are the newest,
	// on the page's first page.
	fleetInfo := registerFleet(ctx, t, anvil.Client, reg, fleetSize(t))

	set, err := verifiertest.Load(repoRoot, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]verifiertest.Case{}
	for _, c := range set.Cases {
		cases[c.Name] = c
	}
	type tamperedFile struct {
		Digest common.Hash `json:"digest"`
		File   string      `json:"file"`
	}
	expect := struct {
		Machines   map[string]string `json:"machines"`
		Reproduced []common.Hash     `json:"reproduced"`
		TestRooted []common.Hash     `json:"test_rooted"`
		Tampered   []tamperedFile    `json:"tampered"`
		// Identity: verdicts whose evidence names its workload; the page lists it.
		Identity []common.Hash `json:"identity"`
		// Metadata: machines' metadata URIs as the page shows them.
		Metadata map[string]string `json:"metadata"`
		// Searchable: a trusted machine whose verdict the page read with its fields,
		// to search for by its TEE key and workload id.
		Searchable common.Hash `json:"searchable"`
	}{Machines: map[string]string{}, Metadata: map[string]string{}}

	// A Milan machine whose real report commits to nothing of ours: untrusted.
	milan := e.register(1, verdict.TEESEVSNP)
	milanKey := common.HexToAddress("0x" + strings.Repeat("11", 20))
	milanDigest := e.publish(cases["snp-milan-v2/bundle"], milan, milanKey)
	expect.Machines[milan.Hex()] = "untrusted"
	expect.Reproduced = append(expect.Reproduced, milanDigest)

	// TDX v5 (../shared/vectors): TCB Unknown and unbound, untrusted; its collateral
	// comes from the archive as the node stores it.
	if c, ok := cases["tdx-v5-outdated/default"]; ok {
		tdx := e.register(2, verdict.TEETDX)
		expect.Machines[tdx.Hex()] = "untrusted"
		expect.Reproduced = append(expect.Reproduced, e.publish(c, tdx, common.HexToAddress("0x"+strings.Repeat("22", 20))))
	} else if os.Getenv("CI") != "" {
		t.Fatalf("CI is set: %v", set.SharedMissing)
	}

	// A Turin report sent without its VCEK, which the node fetched and archived as
	// collateral.
	if c, ok := cases["snp-turin/default"]; ok {
		req := *c.Request
		req.Collateral.SNPVCEKs, req.Certificates = req.Certificates, nil
		turin := e.register(5, verdict.TEESEVSNP)
		expect.Machines[turin.Hex()] = "untrusted"
		expect.Reproduced = append(expect.Reproduced, e.publish(verifiertest.Case{Name: "turin without VCEK", Request: &req}, turin, common.HexToAddress("0x"+strings.Repeat("55", 20))))
	}

	// Registered, never attested.
	expect.Machines[e.register(3, verdict.TEESEVSNP).Hex()] = "no verdict"

	// A metadata URI that is not UTF-8: anyone may register one, and the registry
	// stores the bytes as sent. The page lists the machine, the URI shown with
	// U+FFFD for the byte it cannot decode.
	notUTF8 := common.Hash{7}
	e.send(e.provider, reg.RegisterMachineTx(notUTF8, verdict.TEESEVSNP, "\xffA"))
	expect.Machines[chain.MachineID(e.provider.From(), notUTF8).Hex()] = "no verdict"
	expect.Metadata[chain.MachineID(e.provider.From(), notUTF8).Hex()] = "\ufffdA"

	// A metadata URI naming a fleet machine's id: searching for that id (or part of
	// it) finds the fleet machine alone, not this one.
	e.send(e.provider, reg.RegisterMachineTx(common.Hash{10}, verdict.TEESEVSNP, "https://provider.example/"+fleetInfo.Sample))
	expect.Machines[chain.MachineID(e.provider.From(), common.Hash{10}).Hex()] = "no verdict"

	// Metadata replaced twice after registration: the page shows the newest.
	moved := e.register(8, verdict.TEETDX)
	e.send(e.provider, reg.SetMachineMetadataTx(moved, "https://provider.example/vm/8/v2"))
	e.send(e.provider, reg.SetMachineMetadataTx(moved, "https://provider.example/vm/8/v3"))
	expect.Machines[moved.Hex()] = "no verdict"
	expect.Metadata[moved.Hex()] = "https://provider.example/vm/8/v3"

	// Devnet machines: evidence of the devnet's simulated hardware (package fakehw),
	// bound to this chain, so trusted, and archived. No AMD or Intel root signs it:
	// the page reproduces these verdicts only under the devnet's test-only roots,
	// which the explorer is given as the devnet gives them, and says so.
	head, err := e.headers()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(int64(head.time), 0)
	hw, err := devnettest.New(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	hv, err := hw.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	devnetVerdict := func(salt byte, tee uint8) (common.Hash, *verifier.Request) {
		machine := e.register(salt, tee)
		b := &verifier.Binding{MachineID: machine, TEEKey: common.BytesToAddress(crypto.Keccak256([]byte{salt})[:20]),
			AnchorBlockNumber: head.parentNumber, AnchorBlockHash: head.parentHash}
		rd := verdict.ReportData(reg.Domain().ChainID, reg.Address(), b.MachineID, b.TEEKey, b.AnchorBlockNumber, b.AnchorBlockHash)
		var req *verifier.Request
		if tee == verdict.TEESEVSNP {
			req, err = hw.SNPRequest(ctx, rd, at)
		} else {
			// A TD that names its workload (CCEL, RTMR3 event, description).
			var w *workload.Description
			if w, err = workload.Parse([]byte(`{"version":1,"name":"api","images":["ghcr.io/acme/api@sha256:` + strings.Repeat("5a", 32) + `"]}`)); err == nil {
				req, err = hw.TDXWorkloadRequest(rd, at, w)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		req.Domain, req.Binding = reg.Domain(), b
		e.authorize(machine, b.TEEKey)
		expect.Machines[machine.Hex()] = "trusted"
		d := e.publishWith(hv, req, &yes)
		expect.TestRooted = append(expect.TestRooted, d)
		if ok, err := reg.IsTrusted(ctx, machine); err != nil || !ok {
			t.Fatalf("isTrusted(%s) = %v, %v", machine, ok, err)
		}
		return d, req
	}
	devnetSNP, devnetSNPReq := devnetVerdict(4, verdict.TEESEVSNP)
	expect.Searchable = devnetSNPReq.Binding.MachineID
	// The devnet TDX machine's verdict goes through submitBatch: the page reads it
	// from VerdictRecorded and the batch's calldata.
	e.batch = true
	devnetTDX, _ := devnetVerdict(6, verdict.TEETDX)
	// A devnet SEV-SNP machine's batch relayed by another contract: the page shows the
	// verdict by hash only, and re-verifies it from the fields the oracle API gives.
	fwd := e.deployForwarder()
	e.via = &fwd
	devnetVerdict(9, verdict.TEESEVSNP)
	e.batch, e.via = false, nil
	expect.Identity = append(expect.Identity, devnetTDX)

	// The Milan bundle that was published, and the devnet SEV-SNP bundle, each with
	// one bit of the report's signature flipped: not reproduced, under any roots.
	var b evidence.Bundle
	if err := json.Unmarshal(mustRead(t, filepath.Join(repoRoot, "testdata", "sev-snp", "milan-v2", "bundle.json")), &b); err != nil {
		t.Fatal(err)
	}
	b.Evidence[0x2a0+5] ^= 1
	tampered := filepath.Join(t.TempDir(), "tampered-bundle.json")
	if err := os.WriteFile(tampered, mustJSON(t, b), 0o600); err != nil {
		t.Fatal(err)
	}
	ev, err := evidence.Decode("devnet", devnetSNPReq.Evidence.Data)
	if err != nil {
		t.Fatal(err)
	}
	devnetBundle, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(devnetBundle, &b); err != nil {
		t.Fatal(err)
	}
	b.Evidence[0x2a0+5] ^= 1
	tamperedDevnet := filepath.Join(t.TempDir(), "tampered-devnet-bundle.json")
	if err := os.WriteFile(tamperedDevnet, mustJSON(t, b), 0o600); err != nil {
		t.Fatal(err)
	}
	expect.Tampered = append(expect.Tampered, tamperedFile{milanDigest, tampered}, tamperedFile{devnetSNP, tamperedDevnet})

	explorer, err := web.New(web.Options{RPCURL: anvil.URL, Registry: reg.Address(), FromBlock: receipt.BlockNumber.Uint64(), Wasm: os.DirFS(wasmDir),
		TestRoots: hw.ExplorerRoots()})
	if err != nil {
		t.Fatal(err)
	}
	oracleNode, err := api.New(api.Config{Listen: "127.0.0.1:0", RateLimit: -1}, e.archive)
	if err != nil {
		t.Fatal(err)
	}
	// Behind a path prefix, as a reverse proxy may put the node: the page reaches the
	// node's API next to /explorer/ by relative URLs.
	mux := http.NewServeMux()
	mux.Handle("/node/v1/", http.StripPrefix("/node", oracleNode.Handler()))
	mux.Handle("/node/explorer/", http.StripPrefix("/node/explorer", explorer))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	shots, err := filepath.Abs(filepath.Join(repoRoot, "dist", "explorer-screenshots"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "explorer.browser.mjs"))
	cmd.Env = append(os.Environ(), "EXPLORER_URL="+srv.URL+"/node/explorer/", "EXPLORER_EXPECT="+string(mustJSON(t, expect)),
		"EXPLORER_FLEET="+string(mustJSON(t, fleetInfo)), "SCREENSHOT_DIR="+shots, "PLAYWRIGHT_CORE="+playwright, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("explorer in Chromium:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}

type head struct {
	parentNumber uint64
	parentHash   common.Hash
	time         uint64
}

func (e *explorerEnv) headers() (head, error) {
	client := e.client
	h, err := client.HeaderByNumber(e.ctx, nil)
	if err != nil {
		return head{}, err
	}
	p, err := client.HeaderByNumber(e.ctx, new(big.Int).Sub(h.Number, big.NewInt(1)))
	if err != nil {
		return head{}, err
	}
	return head{parentNumber: p.Number.Uint64(), parentHash: p.Hash(), time: h.Time}, nil
}

// collateralSet converts dcap-qvl collateral into the form the node archives TDX
// collateral in: the JSON of collateral.TDXCollateral.
func collateralSet(dcap []byte) ([]byte, error) {
	c, err := collateral.ParseDcapQVL(dcap)
	if err != nil {
		return nil, err
	}
	return json.Marshal(c)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
