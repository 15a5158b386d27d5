package service

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// peerMapTest is a node (self) with threshold 2 of three oracles: an honest peer B
// and a hostile peer C that serves B's public per-verdict signatures as its own
// answers and refuses every co-signing request, naming verdicts as lacking.
type peerMapTest struct {
	s        *Service
	d        verdict.Domain
	selfKey  *ecdsa.PrivateKey
	keyB     *ecdsa.PrivateKey
	b        common.Address
	verdicts map[common.Hash]*verdict.Verdict
	honest   *httptest.Server
	hostile  *httptest.Server
	// bLacks are the verdicts B's node refuses to co-sign; cNames, when not nil,
	// the verdicts C's refusals name (otherwise every one asked).
	bLacks, cNames map[common.Hash]bool
	reg            *batchRegistry
	tx             *batchSender
}

// batchRegistry builds batch transactions and records the signature sets.
type batchRegistry struct {
	registryView
	mu   sync.Mutex
	sigs [][][]byte
}

// BatchOutcome reads every mined batch as applied whole.
func (r *batchRegistry) BatchOutcome(*types.Receipt) (map[common.Hash]bool, []chain.VerdictSkipped, error) {
	return nil, nil, nil
}

func (r *batchRegistry) SubmitBatchTx(_ []*verdict.Verdict, sigs [][]byte) (chain.TxCandidate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sigs = append(r.sigs, sigs)
	return chain.TxCandidate{To: &common.Address{0x77}, Data: []byte{1}}, nil
}

type gasRPC struct{ RPC }

func (gasRPC) EstimateGas(context.Context, ethereum.CallMsg) (uint64, error) { return 100_000, nil }

// batchSender mines every transaction it is given.
type batchSender struct {
	mu   sync.Mutex
	sent int
}

func (*batchSender) Recover(context.Context) error { return nil }

func (b *batchSender) Send(context.Context, chain.TxCandidate) (*types.Receipt, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent++
	return &types.Receipt{TxHash: common.Hash{0x99}, BlockNumber: big.NewInt(1)}, nil
}

func newPeerMapTest(t *testing.T, n int) *peerMapTest {
	t.Helper()
	pt := &peerMapTest{d: verdict.Domain{ChainID: 31337, Registry: common.Address{0x77}}, verdicts: map[common.Hash]*verdict.Verdict{},
		bLacks: map[common.Hash]bool{}, reg: &batchRegistry{}, tx: &batchSender{}}
	pt.selfKey, _ = crypto.GenerateKey()
	pt.keyB, _ = crypto.GenerateKey()
	pt.b = crypto.PubkeyToAddress(pt.keyB.PublicKey)
	for i := range n {
		v := &verdict.Verdict{MachineID: common.Hash{0x11}, AnchorBlockNumber: uint64(7 + i), IssuedAt: 1_700_000_000}
		pt.verdicts[verdict.DigestOf(pt.d, v.StructHash())] = v
	}
	pt.honest = httptest.NewServer(http.HandlerFunc(pt.serveHonest))
	t.Cleanup(pt.honest.Close)
	pt.hostile = httptest.NewServer(http.HandlerFunc(pt.serveHostile))
	t.Cleanup(pt.hostile.Close)
	pt.s = &Service{cfg: Config{Peers: []string{pt.honest.URL, pt.hostile.URL}, OracleKey: pt.selfKey, Now: time.Now,
		BatchMax: 64, QuorumTimeout: time.Hour, RelayDelay: time.Hour},
		http: pt.honest.Client(), oracle: crypto.PubkeyToAddress(pt.selfKey.PublicKey), domain: pt.d,
		log: slog.New(slog.DiscardHandler), m: newMetrics(prometheus.NewRegistry()), quorum: map[common.Hash]*quorumState{},
		reg: pt.reg, rpc: gasRPC{}, tx: pt.tx}
	return pt
}

// hashesAsked reads the verdict hashes of a co-signing request.
func hashesAsked(r *http.Request) []common.Hash {
	var body struct {
		VerdictHashes []common.Hash `json:"verdict_hashes"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	return body.VerdictHashes
}

// serveHonest answers as B's node: its signature over a verdict, and its batch
// signature over every batch of verdicts it holds.
func (pt *peerMapTest) serveHonest(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v1/peer/relay-claim":
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/v1/peer/batch-signature":
		hs := hashesAsked(r)
		var vs []*verdict.Verdict
		var lacks []common.Hash
		for _, h := range hs {
			if pt.bLacks[h] || pt.verdicts[h] == nil {
				lacks = append(lacks, h)
			}
			vs = append(vs, pt.verdicts[h])
		}
		if len(lacks) > 0 {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "not held", "missing": lacks})
			return
		}
		d := verdict.BatchDigest(pt.d, vs)
		sig, _ := verdict.Sign(d, pt.keyB)
		_ = json.NewEncoder(w).Encode(api.BatchSignatureView{Signer: pt.b, Signature: hexutil.Encode(sig), BatchDigest: d, VerdictHashes: hs})
	case strings.HasSuffix(r.URL.Path, "/signature"):
		h := common.HexToHash(strings.Split(r.URL.Path, "/")[3])
		sig, _ := verdict.Sign(h, pt.keyB)
		_ = json.NewEncoder(w).Encode(api.SignatureView{Signer: pt.b, Signature: hexutil.Encode(sig)})
	default:
		http.NotFound(w, r)
	}
}

// serveHostile answers as C's node: B's signature fetched from B's public
// endpoint, and a refusal naming as lacking the verdicts of cNames a batch holds
// (every verdict when cNames is nil), or else B's own answer, fetched from B's
// public co-signing endpoint.
func (pt *peerMapTest) serveHostile(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v1/peer/relay-claim":
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/v1/peer/batch-signature":
		asked := hashesAsked(r)
		names := slices.Clone(asked)
		if pt.cNames != nil {
			names = slices.DeleteFunc(names, func(h common.Hash) bool { return !pt.cNames[h] })
		}
		if len(names) == 0 { // none to name: B's own answer, fetched from B's public endpoint
			body, _ := json.Marshal(map[string]any{"verdict_hashes": asked})
			resp, err := pt.honest.Client().Post(pt.honest.URL+r.URL.Path, "application/json", bytes.NewReader(body))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer resp.Body.Close()
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, resp.Body)
			return
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": "not held", "missing": names})
	case strings.HasSuffix(r.URL.Path, "/signature"):
		resp, err := pt.honest.Client().Get(pt.honest.URL + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var sv api.SignatureView
		_ = json.NewDecoder(resp.Body).Decode(&sv)
		_ = json.NewEncoder(w).Encode(sv)
	default:
		http.NotFound(w, r)
	}
}

// learn has the node fetch B's signature over h from each of urls in turn, as a
// publisher pass does (askPeer), and store what they give.
func (pt *peerMapTest) learn(t *testing.T, h common.Hash, urls ...string) {
	t.Helper()
	oracle := func(a common.Address) (bool, error) { return a == pt.b || a == pt.s.oracle, nil }
	for _, u := range urls {
		if a := pt.s.askPeer(context.Background(), u, h, common.Hash{0x43}, oracle); a.signer != pt.b {
			t.Fatalf("%s answered %+v, want B's signature", u, a.status)
		}
	}
}

// ready is the verdicts of hs as candidates with their quorum: this node's
// signature and B's.
func (pt *peerMapTest) ready(t *testing.T, hs ...common.Hash) []*candidate {
	t.Helper()
	var out []*candidate
	for _, h := range hs {
		own, err := verdict.Sign(h, pt.selfKey)
		if err != nil {
			t.Fatal(err)
		}
		sigB, _ := verdict.Sign(h, pt.keyB)
		sigs := []verdict.Signature{{Signer: pt.s.oracle, Sig: own}, {Signer: pt.b, Sig: sigB}}
		verdict.SortBySigner(sigs)
		out = append(out, &candidate{hash: h, v: pt.verdicts[h], sigs: sigs})
	}
	return out
}

func (pt *peerMapTest) hashes() []common.Hash {
	var out []common.Hash
	for h := range pt.verdicts {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b common.Hash) int { return a.Cmp(b) })
	return out
}

// TestPeerServingCopiedSignatureKeepsOracle: a hostile peer C that serves honest
// oracle B's public signature (fetched from B's own endpoint) is learnt as one
// more peer serving B's signatures, never in place of B's node, whichever of them
// answered last: B's node is still asked to co-sign, its batch signature wins over
// C's refusals, B's signature keeps counting toward the quorum, and the batch is
// published with this node's and B's signatures.
func TestPeerServingCopiedSignatureKeepsOracle(t *testing.T) {
	for _, order := range []string{"honest first", "hostile first"} {
		t.Run(order, func(t *testing.T) {
			pt := newPeerMapTest(t, 1)
			h := pt.hashes()[0]
			if order == "honest first" {
				pt.learn(t, h, pt.honest.URL, pt.hostile.URL)
			} else {
				pt.learn(t, h, pt.hostile.URL, pt.honest.URL)
			}
			ready := pt.ready(t, h)
			q := pt.s.quorumOf(h)
			pt.s.publishBatches(context.Background(), ready, 2)
			pt.s.wg.Wait()
			if left := pt.s.withoutLacking(q, slices.Clone(ready[0].sigs)); len(left) != 2 {
				t.Fatalf("signatures counting toward the quorum: %d, want 2 (B's valid signature dropped)", len(left))
			}
			if pt.tx.sent != 1 || len(pt.reg.sigs) != 1 {
				t.Fatalf("batches sent %d (built %d), want 1", pt.tx.sent, len(pt.reg.sigs))
			}
			digest := verdict.BatchDigest(pt.d, []*verdict.Verdict{pt.verdicts[h]})
			var signers []common.Address
			for _, sig := range pt.reg.sigs[0] {
				a, err := verdict.Recover(digest, sig)
				if err != nil {
					t.Fatal(err)
				}
				signers = append(signers, a)
			}
			if len(signers) != 2 || !slices.Contains(signers, pt.s.oracle) || !slices.Contains(signers, pt.b) {
				t.Fatalf("batch signed by %v, want this node %s and B %s", signers, pt.s.oracle, pt.b)
			}
		})
	}
}

// TestCosignWeighsEveryPeerRefusal: a verdict counts as lacking for a signer (its
// signature no longer counts toward the quorum) only when every peer known to serve
// the signer's signatures names it, and when they name different verdicts each
// must back its refusal with the signer's batch signature over the rest. A hostile
// peer naming a verdict B holds leaves it out of one batch at most; one naming less
// than B lacks cannot back it, and B is passed over for the pass, nothing marked.
func TestCosignWeighsEveryPeerRefusal(t *testing.T) {
	pt := newPeerMapTest(t, 3)
	hs := pt.hashes()
	pt.learn(t, hs[0], pt.honest.URL, pt.hostile.URL)
	pt.bLacks[hs[0]] = true                                    // B withdrew its signature over hs[0]
	pt.cNames = map[common.Hash]bool{hs[0]: true, hs[1]: true} // C names hs[1] too, which B holds
	qs := []*quorumState{pt.s.quorumOf(hs[0]), pt.s.quorumOf(hs[1]), pt.s.quorumOf(hs[2])}
	batch, failed := pt.s.cosign(context.Background(), pt.signers(), pt.ready(t, hs...))
	if failed != (common.Address{}) || batch == nil || len(batch.cands) != 2 || batch.cands[0].hash != hs[1] || batch.cands[1].hash != hs[2] {
		t.Fatalf("co-signed %+v (failed %s), want the batch of the two verdicts B holds", batch, failed)
	}
	for i, want := range []bool{true, false, false} {
		pt.s.qmu.Lock()
		got := qs[i].lacking[pt.b]
		pt.s.qmu.Unlock()
		if got != want {
			t.Errorf("verdict %d: B lacking %v, want %v", i, got, want)
		}
	}

	// C names only a verdict B holds, B only the one it lacks: C cannot back its
	// refusal, and nothing is marked.
	pt2 := newPeerMapTest(t, 2)
	hs = pt2.hashes()
	pt2.learn(t, hs[0], pt2.honest.URL, pt2.hostile.URL)
	pt2.bLacks[hs[0]] = true
	pt2.cNames = map[common.Hash]bool{hs[1]: true}
	q0, q1 := pt2.s.quorumOf(hs[0]), pt2.s.quorumOf(hs[1])
	if batch, failed := pt2.s.cosign(context.Background(), pt2.signers(), pt2.ready(t, hs...)); batch != nil || failed != pt2.b {
		t.Fatalf("co-signed %+v (failed %s), want nothing co-signed and B passed over", batch, failed)
	}
	pt2.s.qmu.Lock()
	defer pt2.s.qmu.Unlock()
	if q0.lacking[pt2.b] || q1.lacking[pt2.b] {
		t.Fatalf("B marked lacking on disagreeing refusals: %v %v", q0.lacking, q1.lacking)
	}
}

// signers are this node and B, ascending.
func (pt *peerMapTest) signers() []common.Address {
	out := []common.Address{pt.s.oracle, pt.b}
	slices.SortFunc(out, func(a, b common.Address) int { return a.Cmp(b) })
	return out
}
