package service_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestE2ECollateralUnavailable: evidence without its VCEK reaches a node while AMD
// KDS answers 503. The submission is not failed for it and no untrusted verdict is
// made: it waits, is appraised again, and once KDS answers the machine is trusted
// on-chain. When KDS stays down past the node's collateral wait, the submission
// fails saying the collateral was unavailable, and still nothing is published.
func TestE2ECollateralUnavailable(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 64)
	good := measurement(0x21)
	pol := testPolicy(t, "collateral-wait", 600, good)
	e.registerPolicy(t, pol)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp,
		collRetry: 300 * time.Millisecond, collWait: 5 * time.Second})
	noVCEK := func(o *reportOpts) { o.noVCEK = true }

	t.Run("KDS comes back", func(t *testing.T) {
		machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
		a := e.newAgent(t, snp, machine)
		snp.crls.serveVCEK(snp.signer.Vcek.Raw, 3)
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, noVCEK))
		if code != 202 {
			t.Fatalf("submit: HTTP %d: %s", code, res.Error)
		}
		v := waitState(t, n, res.ID, 60*time.Second, "confirmed")
		if v.Trusted == nil || !*v.Trusted || v.Waiting != "" {
			t.Fatalf("verdict %+v: want trusted, no longer waiting", v)
		}
		// Three 503s, then the certificate; the continuous-attestation loop may have
		// fetched it again since for its re-appraisal.
		if got := snp.crls.fetches(); got < 4 {
			t.Errorf("VCEK requests = %d, want at least 4 (three 503s, then the certificate)", got)
		}
		if !e.isTrusted(t, machine) {
			t.Fatal("registry: machine not trusted once KDS answered")
		}
		metrics, err := httpGetText(n.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(metrics, "teeoracle_collateral_unavailable_total 3") {
			t.Errorf("metrics do not count the three put-off appraisals:\n%s", grepLines(metrics, "collateral_unavailable"))
		}
	})

	t.Run("KDS stays down", func(t *testing.T) {
		machine := e.registerMachine(t, provider, 2, verdict.TEESEVSNP)
		a := e.newAgent(t, snp, machine)
		snp.crls.serveVCEK(snp.signer.Vcek.Raw, 1<<30)
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, noVCEK))
		if code != 202 {
			t.Fatalf("submit: HTTP %d: %s", code, res.Error)
		}
		// While it waits, the status says so.
		var v api.SubmissionView
		if !eventually(10*time.Second, 50*time.Millisecond, func() bool {
			v = waitState(t, n, res.ID, 10*time.Second, "received", "failed")
			return v.Waiting != ""
		}) {
			t.Fatalf("submission never showed it waits for collateral: %+v", v)
		}
		if v.State != "received" || !strings.Contains(v.Waiting, "collateral unavailable") || !strings.Contains(v.Waiting, "HTTP 503") {
			t.Fatalf("waiting submission %+v", v)
		}
		v = waitState(t, n, res.ID, 30*time.Second, "failed")
		if !strings.Contains(v.Reason, "collateral unavailable for") || v.VerdictHash != nil || v.Waiting != "" {
			t.Fatalf("failed submission %+v: want the collateral named as the reason and no verdict", v)
		}
		if e.isTrusted(t, machine) || e.machine(t, machine).IssuedAt != 0 {
			t.Fatalf("registry holds a verdict for a machine whose evidence was never appraised: %+v", e.machine(t, machine))
		}
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range splitLines(s) {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// failingKeyReads is the node's chain client with every authorizedKey read after
// the first failing, and every read failing once the first machineOfKey read (a
// submission's last) is answered: an endpoint that went away between a
// submission's acceptance and its appraisal. (The node reads the head before the
// binding facts and reuses the facts read at the same head, so an outage of the
// one read alone would go unnoticed while the head has not moved.)
type failingKeyReads struct {
	*ethclient.Client
	sel, last []byte
	calls     atomic.Int64
	down      atomic.Bool
}

func (f *failingKeyReads) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if f.down.Load() || len(msg.Data) >= 4 && bytes.Equal(msg.Data[:4], f.sel) && f.calls.Add(1) > 1 {
		return nil, errors.New("injected outage")
	}
	out, err := f.Client.CallContract(ctx, msg, block)
	if len(msg.Data) >= 4 && bytes.Equal(msg.Data[:4], f.last) {
		f.down.Store(true)
	}
	return out, err
}

func (f *failingKeyReads) BlockNumber(ctx context.Context) (uint64, error) {
	if f.down.Load() {
		return 0, errors.New("injected outage")
	}
	return f.Client.BlockNumber(ctx)
}

// A submission whose key-binding facts cannot be read waits, then fails after the
// wait instead of coming back every poll interval for ever.
func TestChainOutageBeforeSigningEnds(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 64)
	good := measurement(0x11)
	pol := testPolicy(t, "chain-outage", 600, good)
	e.registerPolicy(t, pol)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	rpc := &failingKeyReads{Client: e.client, sel: e.reg.PackAuthorizedKey(common.Hash{})[:4],
		last: e.reg.PackMachineOfKey(common.Address{})[:4]}
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, rpc: rpc, collWait: 2 * time.Second})
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	a := e.newAgent(t, snp, machine)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d: %s", code, res.Error)
	}
	v := waitState(t, n, res.ID, 30*time.Second, "failed")
	if v.State != "failed" || !strings.Contains(v.Reason, "chain endpoint unavailable") {
		t.Fatalf("submission %s (%s), want failed for the chain outage", v.State, v.Reason)
	}
	if e.isTrusted(t, machine) {
		t.Fatal("a verdict was published without its binding facts")
	}
}
