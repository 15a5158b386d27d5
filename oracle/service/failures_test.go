package service_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestFailedSubmissionsPerMachineLimit: once a machine has MaxFailedPerMachine
// failed submissions within the retention time, its next one is refused with 429,
// a Retry-After of when the earliest leaves the count and a reason naming the
// bound, and nothing of it is stored; another machine submits as before; the
// count survives a restart; and once the failures are pruned the machine submits
// again.
func TestFailedSubmissionsPerMachineLimit(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	good := measurement(0x11)
	pol := testPolicy(t, "failures", 600, good)
	e.registerPolicy(t, pol)
	m1 := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	m2 := e.registerMachine(t, provider, 2, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	var skew atomic.Int64 // the node's clock runs this far ahead
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	const bound, retain = 3, time.Hour
	dir := t.TempDir()
	opts := nodeOpts{key: oracleKey, policy: pol, snp: snp, dir: dir, now: now, retain: retain, maxFailed: bound}
	n := startNode(t, e, opts)
	a1, a2 := e.newAgent(t, snp, m1), e.newAgent(t, snp, m2)
	forged := func(a *agent, n *node) (uint64, []byte) {
		ch := a.challenge(t, n)
		return ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, func(o *reportOpts) { o.corrupt = true })
	}
	var failed []string
	for range bound {
		anchor, bundle := forged(a1, n)
		code, res := a1.submit(t, n, anchor, bundle)
		if code != 202 {
			t.Fatalf("submit: HTTP %d (%s)", code, res.Error)
		}
		waitState(t, n, res.ID, 60*time.Second, "failed")
		failed = append(failed, res.EvidenceHash.String())
	}
	refused := func(n *node) {
		t.Helper()
		anchor, bundle := forged(a1, n)
		code, retryAfter, msg := postEvidence(t, n, a1, anchor, bundle)
		if code != http.StatusTooManyRequests {
			t.Fatalf("submission past the bound: HTTP %d (%s), want 429", code, msg)
		}
		if !strings.Contains(msg, fmt.Sprintf("the most this node keeps for one machine (%d)", bound)) || !strings.Contains(msg, m1.String()) {
			t.Fatalf("refusal %q does not name the machine and its bound", msg)
		}
		if retryAfter < int(retain/time.Second)-120 || retryAfter > int(retain/time.Second) {
			t.Fatalf("Retry-After %d s, want about %d s (when the earliest failure leaves the count)", retryAfter, int(retain/time.Second))
		}
		ev, err := evidence.Decode("test bundle", bundle)
		if err != nil {
			t.Fatal(err)
		}
		if code := httpJSON(t, "GET", n.url+"/v1/archive/evidence/"+common.Hash(ev.Hash()).String(), "", nil, nil); code != 404 {
			t.Fatalf("refused submission's evidence: HTTP %d, want 404 (not stored)", code)
		}
	}
	refused(n)
	// Another machine is not held back by the first one's failures.
	anchor, bundle := forged(a2, n)
	if code, res := a2.submit(t, n, anchor, bundle); code != 202 {
		t.Fatalf("other machine: HTTP %d (%s), want 202", code, res.Error)
	}
	restartNode(t, n)
	n = startNode(t, e, opts)
	refused(n)
	// Past the retention time the failures are pruned and the machine may submit.
	skew.Store(int64(retain + time.Minute))
	n.svc.PruneNow()
	if code := httpJSON(t, "GET", n.url+"/v1/archive/evidence/"+failed[0], "", nil, nil); code != 404 {
		t.Fatalf("failed submission's evidence after pruning: HTTP %d, want 404", code)
	}
	anchor, bundle = forged(a1, n)
	if code, res := a1.submit(t, n, anchor, bundle); code != 202 {
		t.Fatalf("after pruning: HTTP %d (%s), want 202", code, res.Error)
	}
}

// TestOutageFailuresNotCounted: submissions that fail because the collateral
// source is down (AMD KDS answering 503 past the collateral wait) are not the
// machine's doing and do not count against its bound: after more such failures
// than the bound, the machine's next submission is accepted, and once KDS answers
// it is appraised and published.
func TestOutageFailuresNotCounted(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	good := measurement(0x12)
	pol := testPolicy(t, "outage-failures", 600, good)
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	const bound = 2
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, retain: time.Hour, maxFailed: bound,
		collRetry: 100 * time.Millisecond, collWait: time.Second})
	a := e.newAgent(t, snp, m)
	noVCEK := func(o *reportOpts) { o.noVCEK = true }
	// Each posted once, without an agent's retries: a 429 is the answer to see.
	post := func(what string) string {
		t.Helper()
		ch := a.challenge(t, n)
		code, _, body := postEvidence(t, n, a, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, noVCEK))
		if code != 202 {
			t.Fatalf("%s: HTTP %d (%s), want 202", what, code, body)
		}
		var res submitAnswer
		if err := json.Unmarshal([]byte(body), &res); err != nil || res.ID == "" {
			t.Fatalf("%s: 202 answer %q: %v", what, body, err)
		}
		return res.ID
	}
	snp.crls.serveVCEK(snp.signer.Vcek.Raw, 1<<30)
	for i := range bound + 1 {
		id := post(fmt.Sprintf("submission %d while KDS is down", i))
		if v := waitState(t, n, id, 60*time.Second, "failed"); !strings.Contains(v.Reason, "collateral unavailable for") {
			t.Fatalf("submission %d failed for %q, want the collateral unavailable", i, v.Reason)
		}
	}
	snp.crls.serveVCEK(snp.signer.Vcek.Raw, 0)
	id := post(fmt.Sprintf("submission after %d collateral failures (bound %d)", bound+1, bound))
	waitState(t, n, id, 60*time.Second, "confirmed")
	if !e.isTrusted(t, m) {
		t.Fatal("registry: machine not trusted once KDS answered")
	}
}

// TestSNPJunkVCEKFailuresNotCounted: SEV-SNP submissions that fail because AMD KDS
// served a VCEK that does not verify are not the machine's doing and do not count
// against its bound; once KDS serves the genuine VCEK the machine's next
// submission is appraised and published.
func TestSNPJunkVCEKFailuresNotCounted(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	good := measurement(0x14)
	pol := testPolicy(t, "junk-vcek", 600, good)
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	const bound = 2
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, retain: time.Hour, maxFailed: bound})
	a := e.newAgent(t, snp, m)
	noVCEK := func(o *reportOpts) { o.noVCEK = true }
	junk := bytes.Clone(snp.signer.Vcek.Raw)
	junk[len(junk)-5] ^= 0x01 // a bit of the certificate's signature
	snp.crls.serveVCEK(junk, 0)
	post := func(what string) string {
		t.Helper()
		ch := a.challenge(t, n)
		code, _, body := postEvidence(t, n, a, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, noVCEK))
		if code != 202 {
			t.Fatalf("%s: HTTP %d (%s), want 202", what, code, body)
		}
		var res submitAnswer
		if err := json.Unmarshal([]byte(body), &res); err != nil || res.ID == "" {
			t.Fatalf("%s: 202 answer %q: %v", what, body, err)
		}
		return res.ID
	}
	for i := range bound + 1 {
		what := fmt.Sprintf("submission %d with a junk VCEK from KDS", i)
		v := waitState(t, n, post(what), 60*time.Second, "failed")
		if !strings.Contains(v.Reason, "collateral the evidence was appraised with failed its checks") || !strings.Contains(v.Reason, "snp.vcek_chain") {
			t.Fatalf("%s failed for %q, want the collateral's checks named", what, v.Reason)
		}
	}
	if c, _, err := n.store.MachineFailures(m, time.Now().Add(-time.Hour), 0); err != nil || c != 0 {
		t.Fatalf("%d junk-VCEK failures counted against the machine (%v)", c, err)
	}
	snp.crls.serveVCEK(snp.signer.Vcek.Raw, 0)
	waitState(t, n, post("submission once KDS serves the genuine VCEK"), 60*time.Second, "confirmed")
}

// restartNode stops n and closes its store, for a node started again on its
// directory.
func restartNode(t *testing.T, n *node) {
	t.Helper()
	if err := n.svc.Stop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := n.store.Close(); err != nil {
		t.Fatal(err)
	}
}

// postEvidence posts one submission of agent a and returns the status, the
// Retry-After in seconds (-1 when absent) and the body.
func postEvidence(t *testing.T, n *node, a *agent, anchor uint64, bundle []byte) (int, int, string) {
	t.Helper()
	url := fmt.Sprintf("%s/v1/evidence?machine_id=%s&tee_key=%s&anchor_block=%d&pop=%s", n.url, a.machine, a.teeKey, anchor,
		hexutil.Encode(a.pop(t, anchor, bundle)))
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, url, bytes.NewReader(bundle))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil {
		ra = -1
	}
	return resp.StatusCode, ra, string(body)
}

// switchedTDX is TEST-ONLY Intel collateral (fakehw.TDXAuthority's) that a test
// swaps for a set whose TCB Info signature does not verify: what Intel PCS serving
// junk would make of it.
type switchedTDX struct {
	cur atomic.Pointer[collateral.TDXCollateral]
}

func (s *switchedTDX) FetchTDX(context.Context, string, string) (*collateral.TDXCollateral, error) {
	return s.cur.Load(), nil
}

// TestTDXCollateralFailuresNotCounted: TDX submissions that fail because the Intel
// collateral the node was served does not verify are not the machine's doing and
// do not count against its bound (more of them than the bound, and the machine
// still submits); submissions whose quote signature does not verify do count, and
// past the bound the machine is refused.
func TestTDXCollateralFailuresNotCounted(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	intel, td := newTestTD(t)
	pol := tdxTestPolicy(t, "tdx-collateral-failures", 600, td.MRTD())
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEETDX)
	good := intel.Collateral()
	junk := *good
	junk.TCBInfo.Signature = bytes.Clone(good.TCBInfo.Signature)
	junk.TCBInfo.Signature[10] ^= 0x01
	var coll switchedTDX
	coll.cur.Store(&junk)
	const bound = 2
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, tdx: intel, tdxColl: &coll, retain: time.Hour, maxFailed: bound})
	a := e.newAgent(t, nil, m)
	// Each posted once, without an agent's retries: a 429 is the answer to see.
	post := func(what string, mutate func([]byte)) (int, string) {
		t.Helper()
		ch := a.challenge(t, n)
		code, _, body := postEvidence(t, n, a, ch.AnchorBlockNumber, tdxBundle(t, td, ch, mutate))
		if code != 202 {
			return code, body
		}
		var res submitAnswer
		if err := json.Unmarshal([]byte(body), &res); err != nil || res.ID == "" {
			t.Fatalf("%s: 202 answer %q: %v", what, body, err)
		}
		return code, res.ID
	}
	counted := func() int {
		t.Helper()
		c, _, err := n.store.MachineFailures(m, time.Now().Add(-time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i := range bound + 1 {
		what := fmt.Sprintf("submission %d under junk TCB Info", i)
		code, id := post(what, nil)
		if code != 202 {
			t.Fatalf("%s: HTTP %d (%s), want 202", what, code, id)
		}
		v := waitState(t, n, id, 60*time.Second, "failed")
		if !strings.Contains(v.Reason, "collateral the evidence was appraised with failed its checks") || !strings.Contains(v.Reason, "tdx.tcb_info") {
			t.Fatalf("%s failed for %q, want the collateral's checks named", what, v.Reason)
		}
		if sub, err := n.store.Submission(id); err != nil || sub.EvidenceFault {
			t.Fatalf("%s: evidence fault %v (%v), want false", what, sub.EvidenceFault, err)
		}
	}
	if c := counted(); c != 0 {
		t.Fatalf("%d collateral failures counted against the machine", c)
	}
	coll.cur.Store(good)
	forged := func(q []byte) { q[evidence.TDXHeaderSize+136] ^= 0x01 } // an MRTD bit: the quote signature fails
	for i := range bound {
		what := fmt.Sprintf("forged quote %d", i)
		code, id := post(what, forged)
		if code != 202 {
			t.Fatalf("%s: HTTP %d (%s), want 202", what, code, id)
		}
		v := waitState(t, n, id, 60*time.Second, "failed")
		if !strings.Contains(v.Reason, "not authentic or not bound") {
			t.Fatalf("%s failed for %q, want the evidence named", what, v.Reason)
		}
	}
	if c := counted(); c != bound {
		t.Fatalf("%d forged quotes counted, want %d", c, bound)
	}
	if code, body := post("past the bound", forged); code != http.StatusTooManyRequests {
		t.Fatalf("submission past the bound: HTTP %d (%s), want 429", code, body)
	}
}

// TestUndecodableEvidenceRefusedUncounted: evidence that does not decode (a TDX
// quote whose inner structure is malformed, a truncated SEV-SNP report, a bundle
// whose report is not one) is refused by the submission API with 400 naming the
// body and what is wrong with it, before anything is stored: no submission, no
// evidence, no index entry, nothing counted toward the machine's bound, so after
// more such refusals than the bound the machine's good evidence is accepted and
// published.
func TestUndecodableEvidenceRefusedUncounted(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	good := measurement(0x13)
	pol := testPolicy(t, "undecodable", 600, good)
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	const bound = 1
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, retain: time.Hour, maxFailed: bound})
	a := e.newAgent(t, snp, m)

	ch := a.challenge(t, n)
	ev, err := evidence.Decode("agent bundle", a.evidenceFor(t, ch, good, nil))
	if err != nil {
		t.Fatal(err)
	}
	// A TEST-ONLY TD's v4 quote whose QE certification data type (after the
	// signature data length at 0x278, the signature and the attestation key) is 9:
	// no such type. Its framing is whole; what it frames is not a quote.
	_, td := newTestTD(t)
	quote, err := td.GetRawQuote([64]byte{})
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint16(quote[0x27C+128:], 9)
	junkReport, err := json.Marshal(map[string]any{"tee": "sev-snp", "evidence": bytes.Repeat([]byte{0xAA}, evidence.SNPReportSize)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, ctype, tee string // tee: the parameter raw evidence names its TEE by
		body             []byte
		want             []string // in the refusal
	}{
		{"TDX quote with a malformed certification data", "application/octet-stream", "tdx", quote, []string{"malformed evidence", "TDX quote"}},
		{"SEV-SNP report cut short", "application/octet-stream", "sev-snp", ev.Raw[:1000], []string{"SEV-SNP report", "1000 bytes, want 1184"}},
		{"bundle whose report is none", "application/json", "", junkReport, []string{"bundle evidence", "unknown evidence format", "version field is 0xaaaaaaaa"}},
	}
	sizes := func() map[string]store.ArchiveSize {
		t.Helper()
		s, err := n.store.ArchiveSizes()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := sizes()
	for round := range bound + 1 {
		for _, tc := range cases {
			// A proof of possession by the machine's key over the body: the body is
			// refused before the proof is looked at.
			h := crypto.Keccak256Hash(tc.body)
			pop, err := crypto.Sign(h[:], a.key)
			if err != nil {
				t.Fatal(err)
			}
			url := fmt.Sprintf("%s/v1/evidence?machine_id=%s&tee_key=%s&anchor_block=%d&pop=%s", n.url, a.machine, a.teeKey,
				ch.AnchorBlockNumber, hexutil.Encode(pop))
			if tc.tee != "" {
				url += "&tee=" + tc.tee
			}
			var res submitAnswer
			code := httpJSON(t, "POST", url, tc.ctype, tc.body, &res)
			if code != http.StatusBadRequest || res.Field != "body" || res.ID != "" {
				t.Fatalf("round %d, %s: HTTP %d field %q id %q (%s), want 400 naming the body", round, tc.name, code, res.Field, res.ID, res.Error)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Error, w) {
					t.Errorf("%s: refusal %q does not say %q", tc.name, res.Error, w)
				}
			}
		}
	}
	var stored []string
	for _, prefix := range []string{"sub/", "ev/"} {
		if err := n.store.MetaPrefix(prefix, func(k string, _ []byte) error { stored = append(stored, k); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.store.Unfinished(func(s store.Submission) error { stored = append(stored, "submission "+s.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 0 {
		t.Fatalf("refused evidence left %v in the store", stored)
	}
	if after := sizes(); after["evidence"] != before["evidence"] {
		t.Fatalf("evidence archive %+v before, %+v after the refusals", before["evidence"], after["evidence"])
	}
	if c, _, err := n.store.MachineFailures(m, time.Now().Add(-time.Hour), 0); err != nil || c != 0 {
		t.Fatalf("%d failures counted against the machine (%v), want 0", c, err)
	}
	// Past the bound in refusals, the machine's good evidence is taken and published.
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("good evidence after %d refusals (bound %d): HTTP %d (%s)", (bound+1)*len(cases), bound, code, res.Error)
	}
	waitState(t, n, res.ID, 60*time.Second, "confirmed")
}

// TestReappraisalIgnoresJunkCollateral: when the Intel collateral a node is served
// changes to a TCB Info whose body no longer matches Intel's signature, re-appraising
// a trusted TDX machine finds it not authentic for the collateral alone, and the
// node publishes no downgrade: the machine stays trusted on-chain through several
// re-appraisal times, and no downgrade submission is made.
func TestReappraisalIgnoresJunkCollateral(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	intel, td := newTestTD(t)
	pol := tdxTestPolicy(t, "reappraise-junk", 600, td.MRTD())
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEETDX)
	good := intel.Collateral()
	junk := *good
	// New bytes (so the re-appraisal sees new collateral), Intel's old signature.
	junk.TCBInfo.Body = bytes.Replace(good.TCBInfo.Body, []byte(`"tcbEvaluationDataNumber":`), []byte(`"tcbEvaluationDataNumber": `), 1)
	if bytes.Equal(junk.TCBInfo.Body, good.TCBInfo.Body) {
		t.Fatal("test TCB Info not edited")
	}
	var coll switchedTDX
	coll.cur.Store(good)
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, tdx: intel, tdxColl: &coll})
	a := e.newAgent(t, nil, m)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, tdxBundle(t, td, ch, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d (%s)", code, res.Error)
	}
	waitState(t, n, res.ID, 60*time.Second, "confirmed")
	made := func() float64 {
		resp, err := httpGetText(n.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		var v float64
		for _, line := range splitLines(resp) {
			if _, err := fmt.Sscanf(line, `teeoracle_reappraisals_total{outcome="made"} %g`, &v); err == nil {
				return v
			}
		}
		return 0
	}
	before := made()
	coll.cur.Store(&junk)
	// Three re-appraisals with the junk collateral (one per 1 s epoch), unless the
	// machine is downgraded first.
	eventually(30*time.Second, 100*time.Millisecond, func() bool { return made() >= before+3 || !e.isTrusted(t, m) })
	if !e.isTrusted(t, m) {
		t.Fatal("junk TCB Info downgraded a trusted machine on-chain")
	}
	if got := made(); got < before+3 {
		t.Fatalf("re-appraisals made: %g, want at least %g", got, before+3)
	}
	if d := scrape(t, n, "teeoracle_reappraisal_downgrades_total"); d != 0 {
		t.Fatalf("%g downgrades made on junk collateral", d)
	}
	var subs []string
	if err := n.store.MetaPrefix("sub/reappraisal-", func(k string, _ []byte) error { subs = append(subs, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(subs) != 0 {
		t.Fatalf("downgrade submissions %v made on junk collateral", subs)
	}
}

// newTestTD is a TEST-ONLY Intel authority (fakehw) and one TD it made.
func newTestTD(t *testing.T) (*fakehw.TDXAuthority, *fakehw.TDXMachine) {
	t.Helper()
	intel, err := fakehw.NewTDXAuthority(ctxT(t), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	td, err := intel.NewMachine(fakehw.TDXMachineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return intel, td
}
