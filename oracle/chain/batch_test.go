package chain_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// batchTypeString is the EIP-712 VerdictBatch type (primary type, then the
// referenced Verdict type), as fixed for submitBatch.
const batchTypeString = "VerdictBatch(Verdict[] verdicts)" + verdict.TypeString

// testBatchDigest is an independent Go computation of the batch digest from the
// EIP-712 definition: hashStruct(batch) = keccak256(abi.encode(typeHash,
// keccak256(concat(hashStruct(v_i))))), digest = keccak256(0x1901 ‖ separator ‖
// hashStruct(batch)). It stands in for verdict.BatchDigest, which the node's
// co-signing adds; the test below pins both to the contract.
func testBatchDigest(d verdict.Domain, vs []*verdict.Verdict) common.Hash {
	var concat []byte
	for _, v := range vs {
		h := v.StructHash()
		concat = append(concat, h[:]...)
	}
	th := crypto.Keccak256Hash([]byte(batchTypeString))
	arr := crypto.Keccak256Hash(concat)
	sh := crypto.Keccak256Hash(th[:], arr[:])
	sep := d.Separator()
	return crypto.Keccak256Hash([]byte{0x19, 0x01}, sep[:], sh[:])
}

func signBatch(t *testing.T, d common.Hash, keys ...*ecdsa.PrivateKey) [][]byte {
	t.Helper()
	var out [][]byte
	for _, k := range keys {
		s, err := verdict.Sign(d, k)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func sampleVerdict(i byte) *verdict.Verdict {
	return &verdict.Verdict{
		MachineID: crypto.Keccak256Hash([]byte{'m', i}), TEE: verdict.TEETDX, Status: verdict.StatusUntrusted,
		TEEKey: common.BytesToAddress(crypto.Keccak256([]byte{'k', i})), WorkloadID: crypto.Keccak256Hash([]byte{'w', i}),
		TCBStatus: 7, TCB: 0xfedcba9876543210 - uint64(i), PolicyHash: crypto.Keccak256Hash([]byte{'p', i}),
		EvidenceHash: crypto.Keccak256Hash([]byte{'e', i}), AnchorBlockNumber: 1<<63 + uint64(i),
		AnchorBlockHash: crypto.Keccak256Hash([]byte{'a', i}), IssuedAt: 1<<40 + uint64(i), ExpiresAt: 1<<62 + uint64(i),
		Reasons: 0x8000000000000001 | uint64(i)<<8,
	}
}

// TestPackBatchRoundTrip: every field survives packing at its full width, at the
// offsets the contract reads (the digest test below checks those on chain).
func TestPackBatchRoundTrip(t *testing.T) {
	vs := []*verdict.Verdict{sampleVerdict(1), sampleVerdict(2), sampleVerdict(3)}
	data := chain.PackBatch(vs)
	if len(data) != 3*chain.PackedVerdictSize {
		t.Fatalf("packed %d bytes, want %d", len(data), 3*chain.PackedVerdictSize)
	}
	got, err := chain.UnpackBatch(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		if d := verdict.Diff(vs[i], &got[i]); len(d) != 0 {
			t.Errorf("verdict %d differs after the round trip: %v", i, d)
		}
	}
	for _, n := range []int{0, 1, chain.PackedVerdictSize - 1, chain.PackedVerdictSize + 1} {
		if _, err := chain.UnpackBatch(make([]byte, n)); !errors.Is(err, chain.ErrMalformedBatch) {
			t.Errorf("UnpackBatch of %d bytes: %v, want ErrMalformedBatch", n, err)
		}
	}
}

// FuzzUnpackBatch: any input either decodes to verdicts that pack back to the
// same bytes, or is refused with ErrMalformedBatch.
func FuzzUnpackBatch(f *testing.F) {
	f.Add(chain.PackBatch([]*verdict.Verdict{sampleVerdict(1)}))
	f.Add(chain.PackBatch([]*verdict.Verdict{sampleVerdict(1), sampleVerdict(2)}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := chain.UnpackBatch(data)
		if err != nil {
			if !errors.Is(err, chain.ErrMalformedBatch) {
				t.Fatalf("error %v does not wrap ErrMalformedBatch", err)
			}
			return
		}
		ps := make([]*verdict.Verdict, len(vs))
		for i := range vs {
			ps[i] = &vs[i]
		}
		if !bytes.Equal(chain.PackBatch(ps), data) {
			t.Fatal("unpack then pack does not give the input back")
		}
	})
}

// TestBatchDigestMatchesContract: the registry's hashBatch equals the Go
// computation for batches of 1 and 3 verdicts with every field at full width, and
// the digest changes with the order of the verdicts and with a subset.
func TestBatchDigestMatchesContract(t *testing.T) {
	e := newRegEnv(t, 1, 1, 1)
	ctx := ctxT(t)
	vs := []*verdict.Verdict{sampleVerdict(1), sampleVerdict(2), sampleVerdict(3)}
	seen := map[common.Hash]bool{}
	for _, batch := range [][]*verdict.Verdict{vs[:1], vs, {vs[2], vs[1], vs[0]}, vs[:2]} {
		got, err := e.reg.HashBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		if want := testBatchDigest(e.reg.Domain(), batch); got != want {
			t.Fatalf("contract batch digest %s, Go %s", got, want)
		}
		if seen[got] {
			t.Fatalf("two different batches share digest %s", got)
		}
		seen[got] = true
	}
	for i, v := range vs {
		if h, err := e.reg.HashVerdict(ctx, v); err != nil || h != v.Digest(e.reg.Domain()) {
			t.Fatalf("verdict %d: hashVerdict %s, %v", i, h, err)
		}
	}
}

// TestSubmitBatchFlow: on a 2-of-3 registry, three machines are bound and
// re-attested by batches under one signature set each; every verdict's own digest
// is in its VerdictRecorded event (VerdictsAccepted, BatchOutcome) and the verdicts
// decode back from the transaction's calldata. A stale entry is skipped with its
// reason while the rest land; a signature set over another batch, one below the
// quorum, and a reordered batch revert the whole transaction.
func TestSubmitBatchFlow(t *testing.T) {
	e := newRegEnv(t, 3, 3, 2)
	ctx := ctxT(t)
	k := e.oracles
	policy := crypto.Keccak256Hash([]byte("policy v1"))
	e.mustSend(e.owner, e.reg.RegisterPolicyTx(policy, 3600, ""))
	var ids []common.Hash
	var keys []common.Address
	for i := range 3 {
		salt := common.BigToHash(big.NewInt(int64(i + 1)))
		id := chain.MachineID(e.provider.From(), salt)
		key := common.BytesToAddress(crypto.Keccak256([]byte{'t', byte(i)}))
		e.mustSend(e.provider, e.reg.RegisterMachineTx(salt, verdict.TEESEVSNP, ""))
		e.mustSend(e.provider, e.reg.AuthorizeKeyTx(id, key))
		ids, keys = append(ids, id), append(keys, key)
	}
	round := func() []*verdict.Verdict {
		e.sim.Commit()
		var vs []*verdict.Verdict
		for i := range ids {
			v := e.trustedVerdict(ids[i], keys[i], policy, 3600)
			vs = append(vs, &v)
		}
		return vs
	}
	submit := func(vs []*verdict.Verdict, sigs [][]byte) (*chain.TxCandidate, error) {
		c, err := e.reg.SubmitBatchTx(vs, sigs)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.reg.Transact(ctx, e.owner, withEntryReserve(ctx, e, c))
		return &c, err
	}

	first := round()
	d := testBatchDigest(e.reg.Domain(), first)
	if _, err := submit(first, signBatch(t, d, k[0], k[2])); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if ok, err := e.reg.IsTrusted(ctx, id); err != nil || !ok {
			t.Fatalf("machine %s not trusted after the batch (%v)", id, err)
		}
	}
	// The workload of each key's verdict is on chain: the pinned gate and trustOf.
	if ok, err := e.reg.IsTrustedFor(ctx, keys[0], first[0].WorkloadID); err != nil || !ok {
		t.Fatalf("isTrustedFor(key 0, its workload) = %v, %v", ok, err)
	}
	if ok, err := e.reg.IsTrustedFor(ctx, keys[0], crypto.Keccak256Hash([]byte("other image"))); err != nil || ok {
		t.Fatalf("isTrustedFor(key 0, another workload) = %v, %v", ok, err)
	}
	kt, err := e.reg.TrustOf(ctx, keys[1])
	if err != nil || !kt.Trusted || kt.WorkloadID != first[1].WorkloadID || kt.PolicyHash != policy ||
		kt.TCBStatus != first[1].TCBStatus || kt.ExpiresAt != first[1].ExpiresAt {
		t.Fatalf("trustOf(key 1) = %+v, %v", kt, err)
	}

	// Signature-set attacks: each reverts the whole batch with its reason.
	second := round()
	d2 := testBatchDigest(e.reg.Domain(), second)
	_, err = submit(second, signBatch(t, d, k[0], k[1])) // the first batch's signatures
	wantRevert(t, err, "UnknownSigner")
	_, err = submit([]*verdict.Verdict{second[1], second[0], second[2]}, signBatch(t, d2, k[0], k[1])) // reordered
	wantRevert(t, err, "UnknownSigner")
	_, err = submit(second[:2], signBatch(t, d2, k[0], k[1])) // a subset
	wantRevert(t, err, "UnknownSigner")
	_, err = submit(second, signBatch(t, d2, k[1]))
	wantRevert(t, err, "InsufficientSignatures", big.NewInt(1), big.NewInt(2))
	_, err = submit(second, signBatch(t, d2, k[1], k[0]))
	wantRevert(t, err, "SignersNotAscending", big.NewInt(1))

	// A stale entry (the first round's verdict again) is skipped; the rest land.
	mixed := []*verdict.Verdict{second[0], first[1], second[2]}
	dm := testBatchDigest(e.reg.Domain(), mixed)
	c, err := e.reg.SubmitBatchTx(mixed, signBatch(t, dm, k[0], k[1]))
	if err != nil {
		t.Fatal(err)
	}
	rcpt, err := e.reg.Transact(ctx, e.owner, withEntryReserve(ctx, e, c))
	if err != nil {
		t.Fatal(err)
	}
	accepted, skipped, err := e.reg.BatchOutcome(rcpt)
	if err != nil {
		t.Fatal(err)
	}
	dom := e.reg.Domain()
	if len(accepted) != 2 || !accepted[second[0].Digest(dom)] || !accepted[second[2].Digest(dom)] {
		t.Fatalf("accepted %v, want entries 0 and 2", accepted)
	}
	if len(skipped) != 1 || skipped[0].Index != 1 || skipped[0].Digest != first[1].Digest(dom) ||
		skipped[0].Reason == nil || skipped[0].Reason.Name != "StaleVerdict" {
		t.Fatalf("skipped %+v, want entry 1 as StaleVerdict", skipped)
	}
	evs, err := e.reg.VerdictsAccepted(ctx, chain.BlockRange{}, ids[0])
	if err != nil || len(evs) != 2 || !evs[1].Batch || evs[1].Digest != second[0].Digest(dom) || evs[1].MachineID != ids[0] {
		t.Fatalf("VerdictsAccepted of machine 0 = %+v, %v", evs, err)
	}
	// One read of several machines holds their events and no other machine's.
	two, err := e.reg.VerdictsAccepted(ctx, chain.BlockRange{}, ids[0], ids[2])
	of2, err2 := e.reg.VerdictsAccepted(ctx, chain.BlockRange{}, ids[2])
	if err != nil || err2 != nil || len(of2) == 0 || len(two) != len(evs)+len(of2) {
		t.Fatalf("VerdictsAccepted of machines 0 and 2 = %d events, %v; want %d and %d (%v)", len(two), err, len(evs), len(of2), err2)
	}
	for _, ev := range two {
		if ev.MachineID != ids[0] && ev.MachineID != ids[2] {
			t.Fatalf("VerdictsAccepted of machines 0 and 2 holds machine %s's event", ev.MachineID)
		}
	}
	tx, _, err := e.client.TransactionByHash(ctx, evs[1].TxHash)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.reg.BatchOfTx(tx.Data())
	if err != nil || len(got) != 3 || got[0].Digest(dom) != evs[1].Digest {
		t.Fatalf("BatchOfTx = %d verdicts, %v; want the submitted batch", len(got), err)
	}
	if _, err := e.reg.SubmitBatchTx(nil, signBatch(t, dm, k[0])); !errors.Is(err, chain.ErrBadVerdict) {
		t.Fatalf("empty batch: %v, want ErrBadVerdict", err)
	}
	if _, err := e.reg.SubmitBatchTx(mixed, [][]byte{make([]byte, 64)}); !errors.Is(err, chain.ErrBadVerdict) {
		t.Fatalf("64-byte signature: %v, want ErrBadVerdict", err)
	}
}

// withEntryReserve gives a batch the gas limit a relayer gives it: the registry
// tries a batch entry's general path (in submitBatch a binding, or a refusal past
// the fast path; in submitVerdicts a binding or a new workload pair) only with its
// entry reserve (200,000, contracts/TeeRegistry.sol
// ENTRY_GAS_RESERVE) left, and skips it otherwise, so the limit carries the reserve
// above the estimate, and a quarter more for the refunds an estimate may count.
// A batch whose estimate fails keeps no limit: sending it reports the revert.
func withEntryReserve(ctx context.Context, e *regEnv, c chain.TxCandidate) chain.TxCandidate {
	est, err := e.client.EstimateGas(ctx, ethereum.CallMsg{From: e.owner.From(), To: c.To, Data: c.Data})
	if err == nil {
		c.GasLimit = est + est/4 + chain.EntryGasReserve
	}
	return c
}
