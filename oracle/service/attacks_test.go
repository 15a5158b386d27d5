package service_test

import (
	"crypto/ecdsa"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestE2EStrangerCannotMoveAnotherProvidersTrust attacks a victim provider's trusted
// machine on a real registry (anvil) with an honest oracle node, from a stranger who
// owns a genuine TEE of the same vendor (simulated hardware under the same test
// roots) and a machine of its own: takeover, knock-out (also under the victim's own
// proof of possession), key squatting, evidence squatting, tag aliasing and batch
// griefing. Each attack is refused with its reason, and the victim's
// machine stays trusted under its own key throughout.
func TestE2EStrangerCannotMoveAnotherProvidersTrust(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	victimProvider, _ := testchain.DevKey(2)
	strangerProvider, _ := testchain.DevKey(3)
	e := newChain(t, []common.Address{oracle}, 1, 64)
	good, bad := measurement(0x11), measurement(0x66)
	pol := testPolicy(t, "attacks", 600, good)
	e.registerPolicy(t, pol)
	victimMachine := e.registerMachine(t, victimProvider, 1, verdict.TEESEVSNP)
	strangerMachine := e.registerMachine(t, strangerProvider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp})

	attest := func(t *testing.T, a *agent, meas [48]byte) api.SubmissionView {
		t.Helper()
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, meas, nil))
		if code != 202 {
			t.Fatalf("submit: HTTP %d: %s (%s)", code, res.Error, res.Field)
		}
		return waitState(t, n, res.ID, 60*time.Second, "confirmed")
	}
	victim := e.newAgent(t, snp, victimMachine)
	if v := attest(t, victim, good); v.Trusted == nil || !*v.Trusted {
		t.Fatalf("victim's first verdict: %+v", v)
	}
	intact := func(t *testing.T) {
		t.Helper()
		if !e.isTrusted(t, victimMachine) || !e.consumerAccepts(t, victim.teeKey) {
			t.Fatal("the victim's machine lost its trust")
		}
		if rec := e.machine(t, victimMachine); rec.TeeKey != victim.teeKey {
			t.Fatalf("the victim's machine is bound to %s, not its own key %s", rec.TeeKey, victim.teeKey)
		}
	}
	intact(t)

	// refused submits evidence from a and wants a 4xx naming field before any
	// appraisal: nothing is stored for it.
	refused := func(t *testing.T, a *agent, meas [48]byte, field, reason string) {
		t.Helper()
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, meas, nil))
		if code != 422 || res.Field != field || !strings.Contains(res.Error, reason) {
			t.Fatalf("submit: HTTP %d field %q: %s; want 422 on %q saying %q", code, res.Field, res.Error, field, reason)
		}
		intact(t)
	}

	t.Run("takeover: a stranger's TEE names the victim's machine", func(t *testing.T) {
		refused(t, newStrangerAgent(t, snp, victimMachine), good, "tee_key", "not authorised")
	})
	t.Run("knock-out: a stranger's disallowed image names the victim's machine", func(t *testing.T) {
		refused(t, newStrangerAgent(t, snp, victimMachine), bad, "tee_key", "not authorised")
	})
	t.Run("key squatting: the victim's next key named by the stranger's TEE", func(t *testing.T) {
		nextKey, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		next := crypto.PubkeyToAddress(nextKey.PublicKey)
		// The stranger authorises the victim's next key for its own machine (it may:
		// the machine is its own) and has its TEE claim that key, signing with its own.
		e.authorize(t, strangerMachine, next)
		squatter := newStrangerAgent(t, snp, strangerMachine)
		squatter.teeKey = next
		refused(t, squatter, good, "pop", "proof of possession")
		refused(t, squatter, bad, "pop", "proof of possession")
		// The victim rotates to that key unhindered.
		rotated := newStrangerAgent(t, snp, victimMachine)
		rotated.key, rotated.teeKey = nextKey, next
		e.authorize(t, victimMachine, next)
		if v := attest(t, rotated, good); v.Trusted == nil || !*v.Trusted {
			t.Fatalf("victim's rotation: %+v", v)
		}
		victim = rotated
		intact(t)
	})
	t.Run("knock-out under the victim's proof of possession", func(t *testing.T) {
		// The stranger has seen the victim's machine, key, anchor and proof of
		// possession (they travel in the query string, to peers and through
		// proxies) and has its own TEE of the same vendor report the victim's
		// binding from a disallowed image: authentic and bound, but not the evidence
		// the proof was made for.
		ch := victim.challenge(t, n)
		own := victim.evidenceFor(t, ch, good, nil)
		pop := victim.pop(t, ch.AnchorBlockNumber, own)
		stranger := newStrangerAgent(t, snp, victimMachine)
		theirs := stranger.evidenceFor(t, ch, bad, nil)
		code, res := submitWith(t, n, victimMachine, victim.teeKey, ch.AnchorBlockNumber, pop, theirs)
		if code != 422 || res.Field != "pop" || !strings.Contains(res.Error, "proof of possession") {
			t.Fatalf("stranger's evidence under the victim's proof: HTTP %d field %q: %s; want 422 on pop", code, res.Field, res.Error)
		}
		intact(t)
		// The victim's own evidence at that anchor is still taken, and trusted.
		code, res = submitWith(t, n, victimMachine, victim.teeKey, ch.AnchorBlockNumber, pop, own)
		if code != 202 {
			t.Fatalf("the victim's own evidence after the attempt: HTTP %d field %q: %s", code, res.Field, res.Error)
		}
		if v := waitState(t, n, res.ID, 60*time.Second, "confirmed"); v.Trusted == nil || !*v.Trusted {
			t.Fatalf("the victim's verdict: %+v", v)
		}
		intact(t)
	})
	t.Run("evidence squatting: the victim's evidence under the stranger's own machine", func(t *testing.T) {
		// The stranger copies the victim's evidence off the wire and submits it
		// first under its own machine and authorised key, with a valid proof of
		// possession of its own: refused before it claims the evidence, so the
		// victim's submission of it is taken (not a conflict) and lands.
		ch := victim.challenge(t, n)
		own := victim.evidenceFor(t, ch, good, nil)
		squatter := e.newAgent(t, snp, strangerMachine)
		sch := squatter.challenge(t, n)
		code, res := squatter.submit(t, n, sch.AnchorBlockNumber, own)
		if code != 422 || res.Field != "body" || !strings.Contains(res.Error, "report data") {
			t.Fatalf("the victim's evidence under the stranger's machine: HTTP %d field %q: %s; want 422 on the body's report data",
				code, res.Field, res.Error)
		}
		code, res = victim.submit(t, n, ch.AnchorBlockNumber, own)
		if code != 202 {
			t.Fatalf("the victim's evidence after the squat: HTTP %d field %q: %s, want 202", code, res.Field, res.Error)
		}
		if v := waitState(t, n, res.ID, 60*time.Second, "confirmed"); v.Trusted == nil || !*v.Trusted {
			t.Fatalf("the victim's verdict: %+v", v)
		}
		intact(t)
	})
	t.Run("tag aliasing: an id sharing the victim's tag", func(t *testing.T) {
		alias := victimMachine
		alias[31] ^= 1
		url := n.url + "/v1/challenge?machine_id=" + alias.String() + "&tee_key=" + victim.teeKey.String()
		var out struct{ Error, Field string }
		if code := httpJSON(t, "GET", url, "", nil, &out); code != 422 || out.Field != "machine_id" {
			t.Fatalf("challenge for an aliasing id: HTTP %d %+v, want 422 on machine_id", code, out)
		}
		intact(t)
	})
	t.Run("batch griefing: a copied entry and a deregistration", func(t *testing.T) {
		// Two more of the victim's machines and the stranger's (attesting honestly).
		m2 := e.registerMachine(t, victimProvider, 2, verdict.TEESEVSNP)
		m3 := e.registerMachine(t, strangerProvider, 3, verdict.TEESEVSNP)
		a2, a3 := e.newAgent(t, snp, m2), e.newAgent(t, snp, m3)
		attest(t, a2, good)
		attest(t, a3, good)
		submit := func(a *agent) string {
			ch := a.challenge(t, n)
			code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
			if code != 202 {
				t.Fatalf("submit: HTTP %d %s", code, res.Error)
			}
			return res.ID
		}
		// Mining stops. The victim's re-attestation goes out alone and waits in the
		// mempool, so a2's and m3's are signed meanwhile and leave together, in one
		// batch, once it is mined; then the attackers act before that batch is.
		e.rpc(t, "evm_setIntervalMining", 0)
		defer e.rpc(t, "evm_setIntervalMining", 1)
		idV := submit(victim)
		waitState(t, n, idV, 30*time.Second, "submitted")
		id2, id3 := submit(a2), submit(a3)
		waitState(t, n, id2, 30*time.Second, "signed")
		waitState(t, n, id3, 30*time.Second, "signed")
		e.rpc(t, "evm_mine")
		waitState(t, n, id2, 30*time.Second, "submitted")
		waitState(t, n, id3, 30*time.Second, "submitted")
		ps := []struct{ id string }{{idV}, {id2}, {id3}}
		// The copier lands a2's entry first, with the node's own signature; the
		// stranger deregisters m3 before the batch is mined.
		sv := waitState(t, n, ps[1].id, time.Second, "submitted")
		var vv api.VerdictView
		if code := httpJSON(t, "GET", n.url+"/v1/verdicts/"+sv.VerdictHash.String(), "", nil, &vv); code != 200 {
			t.Fatalf("verdict view: HTTP %d", code)
		}
		var v verdict.Verdict
		if err := json.Unmarshal(vv.Verdict, &v); err != nil {
			t.Fatal(err)
		}
		sig, err := hexutil.Decode(vv.Signatures[0].Signature)
		if err != nil {
			t.Fatal(err)
		}
		copier, _ := testchain.DevKey(4)
		c, err := chain.NewRegistry(e.client, e.registry, e.chainID).SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: [][]byte{sig}})
		if err != nil {
			t.Fatal(err)
		}
		e.sendTipped(t, copier, c.Data)
		e.sendTipped(t, strangerProvider, e.reg.PackDeregisterMachine(m3))
		e.rpc(t, "evm_mine")
		e.rpc(t, "evm_setIntervalMining", 1)
		if got := waitState(t, n, ps[0].id, 60*time.Second, "confirmed"); got.State != "confirmed" {
			t.Fatalf("victim's re-attestation %s: %s", got.State, got.Reason)
		}
		if got := waitState(t, n, ps[1].id, 60*time.Second, "confirmed"); got.State != "confirmed" {
			t.Fatalf("the copied verdict is on-chain, yet its submission is %s: %s", got.State, got.Reason)
		}
		got := waitState(t, n, ps[2].id, 60*time.Second, "failed")
		if !strings.Contains(got.Reason, "MachineIdRetired") {
			t.Fatalf("deregistered machine's submission failed for %q, want the registry's MachineIdRetired", got.Reason)
		}
		if !e.isTrusted(t, m2) {
			t.Fatal("the copied machine is not trusted")
		}
		intact(t)
		a, err := bindings.TeeRegistryMetaData.ParseABI()
		if err != nil {
			t.Fatal(err)
		}
		skipped, err := e.client.FilterLogs(ctxT(t), ethereum.FilterQuery{Addresses: []common.Address{e.registry},
			Topics: [][]common.Hash{{a.Events["VerdictSkipped"].ID}}})
		if err != nil || len(skipped) < 2 {
			t.Fatalf("VerdictSkipped events: %d, %v; want the copied and the retired entry", len(skipped), err)
		}
	})
}

// sendTipped sends calldata to the registry from key with a priority fee far above
// the node's, without waiting: with interval mining off it lands first in the next
// block.
func (e *chainEnv) sendTipped(t testing.TB, key *ecdsa.PrivateKey, data []byte) *types.Transaction {
	t.Helper()
	o := e.opts(t, key)
	o.GasTipCap, o.GasFeeCap, o.GasLimit = big.NewInt(500e9), big.NewInt(1000e9), 1_000_000
	tx, err := e.reg.Instance(e.client, e.registry).RawTransact(o, data)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return tx
}
