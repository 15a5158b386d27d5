package service_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// cosignAnswer is any answer of POST /v1/peer/batch-signature.
type cosignAnswer struct {
	api.BatchSignatureView
	Error   string        `json:"error"`
	Field   string        `json:"field"`
	Missing []common.Hash `json:"missing"`
}

func askBatchSignature(t *testing.T, n *node, hashes ...common.Hash) (int, cosignAnswer) {
	t.Helper()
	body, _ := json.Marshal(map[string][]common.Hash{"verdict_hashes": hashes})
	var out cosignAnswer
	code := httpJSON(t, "POST", n.url+"/v1/peer/batch-signature", "application/json", body, &out)
	return code, out
}

func verdictOf(t *testing.T, n *node, h common.Hash) (*verdict.Verdict, api.VerdictView) {
	t.Helper()
	var vv api.VerdictView
	if code := httpJSON(t, "GET", n.url+"/v1/verdicts/"+h.String(), "", nil, &vv); code != 200 {
		t.Fatalf("verdict %s: HTTP %d", h, code)
	}
	var v verdict.Verdict
	if err := json.Unmarshal(vv.Verdict, &v); err != nil {
		t.Fatal(err)
	}
	return &v, vv
}

// TestE2EBatchSignatureRefusals: a node co-signs a batch only of verdicts it decided
// and signed itself, rebuilt from its own store. It refuses, naming them, a verdict
// it never saw, a verdict of the same evidence it decided differently, and a verdict
// it stores with a peer's signature but never signed; and it refuses malformed
// requests before looking at its store.
func TestE2EBatchSignatureRefusals(t *testing.T) {
	t.Parallel()
	kl, al := testchain.DevKey(3)
	_, ab := testchain.DevKey(4) // an oracle that never runs: L's verdicts stay signed
	kd, ad := testchain.DevKey(6)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{al, ab}, 2, 64)
	good := measurement(0x11)
	pol := testPolicy(t, "cosign-main", 600, good)
	shorter := testPolicy(t, "cosign-shorter", 300, good) // same evidence, another expiry: another verdict
	e.registerPolicy(t, pol)
	e.registerPolicy(t, shorter)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	L := startNode(t, e, nodeOpts{key: kl, policy: pol, snp: snp, noForward: true})
	D := startNode(t, e, nodeOpts{key: kd, policy: shorter, snp: snp, noForward: true})

	ag := e.newAgent(t, snp, m)
	ch := ag.challenge(t, L)
	bundle := ag.evidenceFor(t, ch, good, nil)
	var hashes [2]common.Hash
	for i, n := range []*node{L, D} {
		code, res := ag.submit(t, n, ch.AnchorBlockNumber, bundle)
		if code != 202 {
			t.Fatalf("submit: HTTP %d %s", code, res.Error)
		}
		hashes[i] = *waitState(t, n, res.ID, 20*time.Second, "signed").VerdictHash
	}
	hL, hD := hashes[0], hashes[1]
	if hL == hD {
		t.Fatal("nodes with different validity reached the same verdict hash")
	}

	t.Run("its own verdict is co-signed over the batch rebuilt from its store", func(t *testing.T) {
		code, a := askBatchSignature(t, L, hL)
		if code != 200 {
			t.Fatalf("HTTP %d %s", code, a.Error)
		}
		v, _ := verdictOf(t, L, hL)
		domain := verdict.Domain{ChainID: e.chainID, Registry: e.registry}
		want := verdict.BatchDigest(domain, []*verdict.Verdict{v})
		sig, err := hexutil.Decode(a.Signature)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := verdict.Recover(want, sig)
		if err != nil || signer != al || a.Signer != al || a.BatchDigest != want {
			t.Fatalf("batch signature by %s (%v) over %s, want %s over %s", signer, err, a.BatchDigest, al, want)
		}
	})
	t.Run("a verdict it decided differently", func(t *testing.T) {
		code, a := askBatchSignature(t, D, hL)
		if code != 422 || len(a.Missing) != 1 || a.Missing[0] != hL || a.Signature != "" {
			t.Fatalf("HTTP %d missing %v signature %q, want 422 naming %s and no signature", code, a.Missing, a.Signature, hL)
		}
	})
	t.Run("a verdict it never saw, among its own", func(t *testing.T) {
		unknown := common.HexToHash("0x" + strings.Repeat("5a", 32))
		code, a := askBatchSignature(t, L, hL, unknown)
		if code != 422 || len(a.Missing) != 1 || a.Missing[0] != unknown || a.Signature != "" {
			t.Fatalf("HTTP %d missing %v, want 422 naming only %s", code, a.Missing, unknown)
		}
	})
	t.Run("a verdict it stores with a peer's signature only", func(t *testing.T) {
		// L is given D's verdict and D's signature, as a node keeps a peer's
		// signature over a verdict: holding them is not having decided it.
		_, vv := verdictOf(t, D, hD)
		v, _ := verdictOf(t, D, hD)
		if err := L.store.PutVerdict(store.Verdict{Hash: hD, MachineID: v.MachineID, IssuedAt: v.IssuedAt, Body: vv.Verdict}); err != nil {
			t.Fatal(err)
		}
		sig, err := hexutil.Decode(vv.Signatures[0].Signature)
		if err != nil || vv.Signatures[0].Signer != ad {
			t.Fatalf("D's signature %+v: %v", vv.Signatures, err)
		}
		if err := L.store.PutSignature(hD, ad, sig); err != nil {
			t.Fatal(err)
		}
		code, a := askBatchSignature(t, L, hD, hL)
		if code != 422 || len(a.Missing) != 1 || a.Missing[0] != hD {
			t.Fatalf("HTTP %d missing %v, want 422 naming %s", code, a.Missing, hD)
		}
	})
	t.Run("malformed requests", func(t *testing.T) {
		many := make([]string, api.MaxBatchVerdicts+1)
		for i := range many {
			many[i] = fmt.Sprintf("0x%064x", i)
		}
		manyBody, _ := json.Marshal(map[string][]string{"verdict_hashes": many})
		for name, tc := range map[string]struct {
			body  string
			field string
		}{
			"duplicate": {fmt.Sprintf(`{"verdict_hashes":["%s","%s"]}`, hL, hL), "verdict_hashes[1]"},
			"too many":  {string(manyBody), "verdict_hashes"},
			"not json":  {`verdict_hashes=` + hL.String(), "body"},
			"verdicts":  {`{"verdicts":[{"machineId":"0x00"}]}`, "body"},
		} {
			var a cosignAnswer
			code := httpJSON(t, "POST", L.url+"/v1/peer/batch-signature", "application/json", []byte(tc.body), &a)
			if code != 400 || a.Field != tc.field || a.Signature != "" {
				t.Errorf("%s: HTTP %d field %q (%s), want 400 field %q", name, code, a.Field, a.Error, tc.field)
			}
		}
	})
	if got := scrape(t, L, "teeoracle_cosigned_verdicts_total"); got != 1 {
		t.Errorf("cosigned verdicts metric %v, want 1 (only the one batch signed)", got)
	}
}
