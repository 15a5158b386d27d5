package service_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// TestE2ESNP drives one oracle node (threshold 1) through the HTTP API against the
// real registry on anvil: a machine attests, is trusted through the consumer
// contract, is refused for replayed and stale evidence, gets an untrusted verdict
// for a disallowed measurement, is restored, expires when chain time passes its
// verdict, re-attests, and is downgraded on-chain without new evidence when a new
// CRL revokes its signing chain.
func TestE2ESNP(t *testing.T) {
	// The end-to-end tests mostly wait for 1-second blocks, each on its own anvil:
	// run them side by side.
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	good := measurement(0x11)
	pol := testPolicy(t, "e2e-snp", 600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	// The due list is read again right after the chain's clock moves: every
	// request runs a tracking pass.
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, dueFresh: -1})
	a := e.newAgent(t, snp, machine)

	attest := func(t *testing.T, meas [48]byte) api.SubmissionView {
		t.Helper()
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, meas, nil))
		if code != 202 {
			t.Fatalf("submit: HTTP %d: %s (%s)", code, res.Error, res.Field)
		}
		return waitState(t, n, res.ID, 60*time.Second, "confirmed")
	}

	var first api.SubmissionView
	t.Run("happy path", func(t *testing.T) {
		if e.isTrusted(t, machine) || e.consumerAccepts(t, a.teeKey) {
			t.Fatal("machine trusted before any verdict")
		}
		first = attest(t, good)
		if first.Trusted == nil || !*first.Trusted {
			t.Fatalf("verdict not trusted: %+v", first)
		}
		if !e.isTrusted(t, machine) {
			t.Fatal("registry: isTrusted false after a confirmed trusted verdict")
		}
		if !e.consumerAccepts(t, a.teeKey) {
			t.Fatal("consumer refuses the TEE key of a trusted machine")
		}
		if e.consumerAccepts(t, crypto.PubkeyToAddress(provider.PublicKey)) {
			t.Fatal("consumer accepts a key that is not the machine's")
		}
		var vv api.VerdictView
		if code := httpJSON(t, "GET", n.url+"/v1/verdicts/"+first.VerdictHash.String(), "", nil, &vv); code != 200 || len(vv.Signatures) != 1 {
			t.Fatalf("verdict view: HTTP %d, %d signatures", code, len(vv.Signatures))
		}
	})

	t.Run("replayed evidence refused", func(t *testing.T) {
		raw, err := n.store.Evidence(first.EvidenceHash)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := n.store.Submission(first.ID)
		if err != nil {
			t.Fatal(err)
		}
		_ = sub
		// Under a new challenge the old evidence carries the old binding: refused
		// before anything is stored.
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, raw)
		if code != 422 || res.Field != "body" || !strings.Contains(res.Error, "report data") {
			t.Fatalf("replay: HTTP %d field %q (%s), want 422 on the body's report data", code, res.Field, res.Error)
		}
	})

	t.Run("stale anchor refused", func(t *testing.T) {
		ch := a.challenge(t, n)
		e.rpc(t, "anvil_mine", "0x40") // 64 blocks: past maxAnchorAge (32)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
		if code != 422 || res.Field != "anchor_block" {
			t.Fatalf("stale anchor: HTTP %d field %q (%s), want 422 anchor_block", code, res.Field, res.Error)
		}
	})

	t.Run("forged evidence fails without a verdict on-chain", func(t *testing.T) {
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, func(o *reportOpts) { o.corrupt = true }))
		if code != 202 {
			t.Fatalf("submit: HTTP %d (%s)", code, res.Error)
		}
		v := waitState(t, n, res.ID, 30*time.Second, "failed")
		if v.Trusted == nil || *v.Trusted || len(v.Reasons) == 0 || v.Reasons[0] != "not_authentic" {
			t.Fatalf("forged evidence: trusted %v reasons %v", v.Trusted, v.Reasons)
		}
		if !e.isTrusted(t, machine) {
			t.Fatal("forged evidence removed trust: anyone could knock machines out")
		}
	})

	t.Run("wrong binding refused before it is stored", func(t *testing.T) {
		ch := a.challenge(t, n)
		ch.ReportData = "0x" + fmt.Sprintf("%0128x", 7)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
		if code != 422 || res.Field != "body" || !strings.Contains(res.Error, "report data") {
			t.Fatalf("submit: HTTP %d field %q (%s), want 422 on the body's report data", code, res.Field, res.Error)
		}
		if !e.isTrusted(t, machine) {
			t.Fatal("evidence bound to something else removed trust")
		}
	})

	t.Run("disallowed measurement posts an untrusted verdict", func(t *testing.T) {
		v := attest(t, measurement(0x22))
		if v.Trusted == nil || *v.Trusted {
			t.Fatalf("disallowed measurement trusted: %+v", v)
		}
		if e.isTrusted(t, machine) || e.consumerAccepts(t, a.teeKey) {
			t.Fatal("machine still trusted after an untrusted verdict")
		}
		attest(t, good)
		if !e.isTrusted(t, machine) {
			t.Fatal("re-attestation did not restore trust")
		}
	})

	t.Run("expiry and re-attestation", func(t *testing.T) {
		var due struct {
			Machines []api.DueMachine `json:"machines"`
		}
		if code := httpJSON(t, "GET", n.url+"/v1/machines/due", "", nil, &due); code != 200 || len(due.Machines) != 1 {
			t.Fatalf("due before expiry: HTTP %d %+v (validity 600 s, window 10 min: due at once)", code, due)
		}
		e.rpc(t, "evm_increaseTime", 700)
		e.rpc(t, "evm_mine")
		if e.isTrusted(t, machine) || e.consumerAccepts(t, a.teeKey) {
			t.Fatal("machine trusted after its verdict expired")
		}
		if code := httpJSON(t, "GET", n.url+"/v1/machines/due", "", nil, &due); code != 200 || len(due.Machines) != 1 || due.Machines[0].SecondsLeft >= 0 {
			t.Fatalf("due after expiry: %+v", due)
		}
		// Anchors sit a few blocks below the head: mine past the time jump so the
		// new anchor is after it (on a real chain time does not jump).
		e.rpc(t, "anvil_mine", "0x4")
		v := attest(t, good)
		if !e.isTrusted(t, machine) || !e.consumerAccepts(t, a.teeKey) {
			t.Fatalf("re-attestation after expiry did not restore trust: %+v, record %+v", v, e.machine(t, machine))
		}
	})

	t.Run("collateral change downgrades without new evidence", func(t *testing.T) {
		head, err := e.client.HeaderByNumber(ctxT(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		chainNow := time.Unix(int64(head.Time), 0)
		snp.crls.add(snp.crl(t, chainNow.Add(-time.Second), chainNow.AddDate(0, 1, 0), snp.signer.Ask))
		if !eventually(45*time.Second, 500*time.Millisecond, func() bool { return !e.isTrusted(t, machine) }) {
			t.Fatal("machine still trusted 45 s after a CRL revoking its ASK appeared")
		}
		rec := e.machine(t, machine)
		if rec.Status != uint8(verdict.StatusUntrusted) {
			t.Fatalf("on-chain status %d, want untrusted", rec.Status)
		}
		auditDowngrade(t, n, snp, machine, rec.IssuedAt)
	})
}

// auditDowngrade: the downgrade of machine, issued at issued, was made as of the
// machine's re-appraisal time, which its audit record keeps: an auditor reproduces
// it from the node's archive alone.
func auditDowngrade(t *testing.T, n *node, snp *fakeSNP, machine common.Hash, issued uint64) {
	t.Helper()
	down, err := n.store.LatestVerdict(machine)
	if err != nil {
		t.Fatal(err)
	}
	audited, err := audit.Reproduce(ctxT(t), audit.NewNodeSource(n.url, nil), down.Hash, verifier.Options{SNPRoots: snp.roots})
	if err != nil {
		t.Fatalf("audit of the downgrade %s: %v", down.Hash, err)
	}
	if !audited.Reproduced || audited.Verdict.Status != verdict.StatusUntrusted || audited.Verdict.IssuedAt != issued {
		t.Fatalf("audit of the downgrade: reproduced %v, status %v issued %d (on-chain %d), differences %v",
			audited.Reproduced, audited.Verdict.Status, audited.Verdict.IssuedAt, issued, audited.Differences)
	}
}
