package chain_test

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestQuorumFlow: the owner grows a 1-oracle registry to 2-of-3 and registers a
// policy; a provider registers a machine; a verdict anchored at a real block and
// signed by two oracles (assembled with verdict.Assemble against the quorum read
// from the chain) is accepted and makes the machine trusted; one signature, a
// stranger's signature, unsorted signatures and a replay are each refused with the
// contract's custom error, decoded.
func TestQuorumFlow(t *testing.T) {
	e := newRegEnv(t, 3, 1, 1)
	ctx := ctxT(t)
	k := e.oracles

	// Governance: only the owner, and only a threshold the oracle set can meet.
	_, err := e.reg.Transact(ctx, e.provider, e.reg.AddOracleTx(addrOf(k[1])))
	wantRevert(t, err, "OwnableUnauthorizedAccount", e.provider.From())
	e.mustSend(e.owner, e.reg.AddOracleTx(addrOf(k[1])))
	e.mustSend(e.owner, e.reg.AddOracleTx(addrOf(k[2])))
	_, err = e.reg.Transact(ctx, e.owner, e.reg.SetThresholdTx(4))
	wantRevert(t, err, "InvalidThreshold", big.NewInt(4), big.NewInt(3))
	e.mustSend(e.owner, e.reg.SetThresholdTx(2))
	q, err := e.reg.Quorum(ctx, chain.BlockRange{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Threshold != 2 || len(q.Signers) != 3 {
		t.Fatalf("quorum %+v, want 2 of 3", q)
	}

	policy := crypto.Keccak256Hash([]byte("policy v1"))
	e.mustSend(e.owner, e.reg.RegisterPolicyTx(policy, 3600, "https://example.org/policy-v1.yaml"))
	if p, err := e.reg.Policy(ctx, policy); err != nil || p.State != chain.PolicyStateActive || p.ValiditySeconds != 3600 || p.ID != 1 {
		t.Fatalf("policy = %+v, %v", p, err)
	}
	pcs, err := e.reg.PolicyChanges(ctx, chain.BlockRange{}, policy)
	if err != nil || len(pcs) != 1 || !pcs[0].Registered || pcs[0].URI != "https://example.org/policy-v1.yaml" {
		t.Fatalf("policy events = %+v, %v", pcs, err)
	}

	// The provider registers a machine; its id is the provider's to keep.
	salt := common.HexToHash("0x01")
	id := chain.MachineID(e.provider.From(), salt)
	e.mustSend(e.provider, e.reg.RegisterMachineTx(salt, verdict.TEESEVSNP, "https://provider.example/m/1"))
	regs, err := e.reg.MachinesRegistered(ctx, chain.BlockRange{}, id)
	if err != nil || len(regs) != 1 || regs[0].Provider != e.provider.From() || regs[0].MetadataURI != "https://provider.example/m/1" {
		t.Fatalf("MachineRegistered events = %+v, %v", regs, err)
	}
	_, err = e.reg.Transact(ctx, e.provider, e.reg.RegisterMachineTx(salt, verdict.TEESEVSNP, ""))
	wantRevert(t, err, "MachineAlreadyRegistered", [32]byte(id))

	// A verdict signed by two of three oracles, gathered out of order together
	// with a stranger's and a duplicate signature: Assemble keeps the two valid
	// ones, ordered.
	teeKey, _ := crypto.GenerateKey()
	v := e.trustedVerdict(id, addrOf(teeKey), policy, 3600)
	// The first verdict binds the key only with the provider's consent.
	c0, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: e.sign(&v, k[0], k[1])})
	if err != nil {
		t.Fatal(err)
	}
	wantRevert(t, e.reg.Simulate(ctx, e.owner.From(), c0), "KeyNotAuthorized", [32]byte(id), addrOf(teeKey))
	e.mustSend(e.provider, e.reg.AuthorizeKeyTx(id, addrOf(teeKey)))
	if a, err := e.reg.AuthorizedKey(ctx, id); err != nil || a != addrOf(teeKey) {
		t.Fatalf("authorizedKey = %s, %v", a, err)
	}
	stranger, _ := crypto.GenerateKey()
	raw := e.sign(&v, k[2], stranger, k[0], k[2])
	digest := v.Digest(e.reg.Domain())
	sigs, err := verdict.Assemble(digest, raw, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 {
		t.Fatalf("assembled %d signatures, want 2", len(sigs))
	}
	if trusted, _ := e.reg.IsTrusted(ctx, id); trusted {
		t.Fatal("machine trusted before any verdict")
	}
	c, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: verdict.Sigs(sigs)})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Refs) != 1 || c.Refs[0] != digest {
		t.Fatalf("candidate refs %v, want the verdict digest %s", c.Refs, digest)
	}
	rcpt, err := e.reg.Transact(ctx, e.owner, c)
	if err != nil {
		t.Fatal(err)
	}
	if trusted, err := e.reg.IsTrusted(ctx, id); err != nil || !trusted {
		t.Fatalf("isTrusted after a 2-of-3 verdict = %v, %v", trusted, err)
	}
	if trusted, err := e.reg.IsTrustedKey(ctx, addrOf(teeKey)); err != nil || !trusted {
		t.Fatalf("isTrustedKey = %v, %v", trusted, err)
	}
	if m, err := e.reg.MachineOfKey(ctx, addrOf(teeKey)); err != nil || m != id {
		t.Fatalf("machineOfKey = %s, %v; want %s", m, err, id)
	}
	rec, err := e.reg.Machine(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := chain.MachineRecord{Provider: e.provider.From(), TEE: verdict.TEESEVSNP, State: chain.MachineStateRegistered,
		TEEKey: addrOf(teeKey), Status: verdict.StatusTrusted, TCBStatus: v.TCBStatus, TCB: v.TCB, PolicyHash: policy,
		IssuedAt: v.IssuedAt, ExpiresAt: v.ExpiresAt}
	if rec != want {
		t.Fatalf("machine record\n got %+v\nwant %+v", rec, want)
	}
	acc, err := e.reg.VerdictsAccepted(ctx, chain.Blocks(rcpt.BlockNumber.Uint64(), rcpt.BlockNumber.Uint64()), id)
	if err != nil || len(acc) != 1 {
		t.Fatalf("VerdictAccepted events = %+v, %v", acc, err)
	}
	if a := acc[0]; a.Digest != digest || a.TEEKey != addrOf(teeKey) || a.Status != verdict.StatusTrusted || a.EvidenceHash != v.EvidenceHash || a.TxHash != rcpt.TxHash {
		t.Fatalf("VerdictAccepted %+v does not match the verdict (digest %s)", a, digest)
	}
	// Historical reads: trusted from the verdict's block on, not before.
	vb := rcpt.BlockNumber.Uint64()
	if before, err := e.reg.AtBlock(vb-1).IsTrusted(ctx, id); err != nil || before {
		t.Fatalf("isTrusted at block %d, before the verdict = %v, %v", vb-1, before, err)
	}
	if at, err := e.reg.AtBlock(vb).IsTrusted(ctx, id); err != nil || !at {
		t.Fatalf("isTrusted at the verdict's block %d = %v, %v", vb, at, err)
	}
	if none, err := e.reg.VerdictsAccepted(ctx, chain.BlockRange{}, common.HexToHash("0xdead")); err != nil || len(none) != 0 {
		t.Fatalf("VerdictAccepted of another machine = %+v, %v", none, err)
	}

	// Rejections, each with its decoded custom error.
	v2 := e.trustedVerdict(id, addrOf(teeKey), policy, 3600)
	d2 := v2.Digest(e.reg.Domain())
	submit := func(sv chain.SignedVerdict) error {
		c, err := e.reg.SubmitVerdictTx(sv)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.reg.Transact(ctx, e.owner, c)
		return err
	}
	one := e.sign(&v2, k[0])
	wantRevert(t, submit(chain.SignedVerdict{Verdict: v2, Signatures: one}), "InsufficientSignatures", big.NewInt(1), big.NewInt(2))
	if err := verdict.Verify(d2, one, q); !errors.Is(err, verdict.ErrBelowQuorum) {
		t.Fatalf("Go quorum check of one signature: %v, want ErrBelowQuorum (it must agree with the contract)", err)
	}
	// The stranger's signature in its ascending place, so the contract reaches
	// the signer check rather than the ordering check.
	pair := []*ecdsa.PrivateKey{k[0], stranger}
	if bytes.Compare(addrOf(stranger).Bytes(), addrOf(k[0]).Bytes()) < 0 {
		pair[0], pair[1] = stranger, k[0]
	}
	wantRevert(t, submit(chain.SignedVerdict{Verdict: v2, Signatures: e.sign(&v2, pair...)}), "UnknownSigner", addrOf(stranger))
	wantRevert(t, submit(chain.SignedVerdict{Verdict: v2, Signatures: e.sign(&v2, k[1], k[0])}), "SignersNotAscending", big.NewInt(1))
	wantRevert(t, submit(chain.SignedVerdict{Verdict: v, Signatures: verdict.Sigs(sigs)}), "StaleVerdict", v.IssuedAt, v.IssuedAt)

	// A transaction mined as reverted (gas limit given, so no estimate stops it):
	// the revert is recovered by replaying the call, and ErrReverted still shows.
	c1, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v2, Signatures: one})
	if err != nil {
		t.Fatal(err)
	}
	c1.GasLimit = 300_000
	rcpt, err = e.reg.Transact(ctx, e.owner, c1)
	if !errors.Is(err, chain.ErrReverted) || rcpt == nil || rcpt.Status != 0 {
		t.Fatalf("mined revert: receipt %v, err %v; want a failed receipt and ErrReverted", rcpt, err)
	}
	wantRevert(t, err, "InsufficientSignatures", big.NewInt(1), big.NewInt(2))

	// A batch: the re-attestation and a second machine's first verdict, one tx.
	salt2 := common.HexToHash("0x02")
	id2 := chain.MachineID(e.provider.From(), salt2)
	e.mustSend(e.provider, e.reg.RegisterMachineTx(salt2, verdict.TEETDX, ""))
	key2, _ := crypto.GenerateKey()
	e.mustSend(e.provider, e.reg.AuthorizeKeyTx(id2, addrOf(key2)))
	v2 = e.trustedVerdict(id, addrOf(teeKey), policy, 3600)
	v3 := e.trustedVerdict(id2, addrOf(key2), policy, 3600)
	v3.TEE = verdict.TEETDX
	batch := []chain.SignedVerdict{
		{Verdict: v2, Signatures: e.sign(&v2, k[0], k[1])},
		{Verdict: v3, Signatures: e.sign(&v3, k[1], k[2])},
	}
	for i := range batch {
		if err := verdict.Verify(batch[i].Verdict.Digest(e.reg.Domain()), batch[i].Signatures, q); err != nil {
			t.Fatalf("batch entry %d: %v", i, err)
		}
	}
	bc, err := e.reg.SubmitVerdictsTx(batch)
	if err != nil {
		t.Fatal(err)
	}
	// v3 binds id2's key: like submitBatch, submitVerdicts tries a binding only with
	// its entry reserve left.
	rcpt, err = e.reg.Transact(ctx, e.owner, withEntryReserve(ctx, e, bc))
	if err != nil {
		t.Fatal(err)
	}
	acc, err = e.reg.VerdictsAccepted(ctx, chain.Blocks(rcpt.BlockNumber.Uint64(), rcpt.BlockNumber.Uint64()))
	if err != nil || len(acc) != 2 || acc[0].MachineID != id || acc[1].MachineID != id2 {
		t.Fatalf("batch VerdictAccepted events = %+v, %v", acc, err)
	}
	if trusted, _ := e.reg.IsTrusted(ctx, id2); !trusted {
		t.Fatal("second machine not trusted after the batch")
	}
	accepted, skipped, err := e.reg.BatchOutcome(rcpt)
	if err != nil || len(accepted) != 2 || len(skipped) != 0 {
		t.Fatalf("BatchOutcome = %v, %+v, %v; want both accepted", accepted, skipped, err)
	}
	// The same batch again: both entries are now stale, so the registry skips them
	// and says why; the transaction itself succeeds.
	rcpt, err = e.reg.Transact(ctx, e.owner, bc)
	if err != nil {
		t.Fatal(err)
	}
	accepted, skipped, err = e.reg.BatchOutcome(rcpt)
	if err != nil || len(accepted) != 0 || len(skipped) != 2 {
		t.Fatalf("BatchOutcome of a replayed batch = %v, %+v, %v; want both skipped", accepted, skipped, err)
	}
	for i, s := range skipped {
		if s.Index != uint64(i) || s.Digest != batch[i].Verdict.Digest(e.reg.Domain()) || s.Reason == nil || s.Reason.Name != "StaleVerdict" {
			t.Fatalf("skipped[%d] = %+v (reason %v), want entry %d skipped as StaleVerdict", i, s, s.Reason, i)
		}
	}

	// Retiring the policy untrusts both machines at once.
	e.mustSend(e.owner, e.reg.RetirePolicyTx(policy))
	for _, m := range []common.Hash{id, id2} {
		if trusted, err := e.reg.IsTrusted(ctx, m); err != nil || trusted {
			t.Fatalf("machine %s trusted after its policy was retired (%v)", m, err)
		}
	}

	// Only the provider deregisters its machine; then the id is retired forever.
	_, err = e.reg.Transact(ctx, e.owner, e.reg.DeregisterMachineTx(id))
	wantRevert(t, err, "NotMachineProvider", [32]byte(id), e.owner.From())
	// A pending authorisation (a rotation under way) is dropped with the machine, and the
	// event names it beside the freed key.
	pending := common.HexToAddress("0x00000000000000000000000000000000000beef1")
	e.mustSend(e.provider, e.reg.AuthorizeKeyTx(id, pending))
	e.mustSend(e.provider, e.reg.DeregisterMachineTx(id))
	deregs, err := e.reg.MachinesDeregistered(ctx, chain.BlockRange{})
	if err != nil || len(deregs) != 1 || deregs[0].MachineID != id || deregs[0].TEEKey != addrOf(teeKey) || deregs[0].AuthorizedKey != pending {
		t.Fatalf("MachineDeregistered events = %+v, %v; want machine %s, key %s, pending %s", deregs, err, id, addrOf(teeKey), pending)
	}
	if rec, _ := e.reg.Machine(ctx, id); rec.State != chain.MachineStateDeregistered {
		t.Fatalf("machine state %d after deregistration", rec.State)
	}

	// Oracle removal shows in the event-derived oracle set.
	e.mustSend(e.owner, e.reg.RemoveOracleTx(addrOf(k[1])))
	changes, err := e.reg.OracleChanges(ctx, chain.BlockRange{})
	if err != nil || len(changes) != 4 || changes[3].Added || changes[3].Oracle != addrOf(k[1]) {
		t.Fatalf("oracle changes = %+v, %v", changes, err)
	}
	os, err := e.reg.Oracles(ctx, chain.BlockRange{})
	if err != nil || len(os) != 2 || os[0] != addrOf(k[0]) || os[1] != addrOf(k[2]) {
		t.Fatalf("oracles = %v, %v", os, err)
	}
}

// TestSubmitBuildersRefuseUnsubmittable checks the builders' own checks, which run
// before any gas is spent.
func TestSubmitBuildersRefuseUnsubmittable(t *testing.T) {
	reg := chain.NewRegistry(nil, common.HexToAddress("0x1"), 1)
	good := verdict.Verdict{TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, IssuedAt: 1, ExpiresAt: 2}
	sig := make([]byte, verdict.SignatureSize)
	for _, tc := range []struct {
		name string
		sv   chain.SignedVerdict
	}{
		{"no signatures", chain.SignedVerdict{Verdict: good}},
		{"short signature", chain.SignedVerdict{Verdict: good, Signatures: [][]byte{sig[:64]}}},
		{"invalid status", chain.SignedVerdict{Verdict: verdict.Verdict{TEE: 1, IssuedAt: 1, ExpiresAt: 2}, Signatures: [][]byte{sig}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := reg.SubmitVerdictTx(tc.sv); !errors.Is(err, chain.ErrBadVerdict) {
				t.Fatalf("SubmitVerdictTx: %v, want ErrBadVerdict", err)
			}
			if _, err := reg.SubmitVerdictsTx([]chain.SignedVerdict{{Verdict: good, Signatures: [][]byte{sig}}, tc.sv}); !errors.Is(err, chain.ErrBadVerdict) {
				t.Fatalf("SubmitVerdictsTx: %v, want ErrBadVerdict", err)
			}
		})
	}
	if _, err := reg.SubmitVerdictsTx(nil); !errors.Is(err, chain.ErrBadVerdict) {
		t.Fatalf("empty batch: %v, want ErrBadVerdict", err)
	}
	if _, err := reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: verdict.Verdict{TEE: 1, Status: 1, IssuedAt: 5, ExpiresAt: 5}, Signatures: [][]byte{sig}}); !errors.Is(err, verdict.ErrInvalid) {
		t.Fatalf("empty validity window: %v, want verdict.ErrInvalid", err)
	}
}
