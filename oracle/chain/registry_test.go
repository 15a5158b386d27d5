package chain_test

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// wantRevert fails unless err carries a decoded revert named name with args.
func wantRevert(t *testing.T, err error, name string, args ...any) *chain.RevertError {
	t.Helper()
	var re *chain.RevertError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a decoded revert, want %s", err, name)
	}
	if re.Name != name {
		t.Fatalf("reverted with %s, want %s (error: %v)", re.Name, name, err)
	}
	if args != nil {
		if len(re.Args) != len(args) {
			t.Fatalf("%s has %d args %v, want %v", name, len(re.Args), re.Args, args)
		}
		for i := range args {
			got, want := re.Args[i], args[i]
			if gb, ok := got.(*big.Int); ok {
				if wb, ok := want.(*big.Int); !ok || gb.Cmp(wb) != 0 {
					t.Fatalf("%s arg %d = %v, want %v", name, i, got, want)
				}
				continue
			}
			if got != want {
				t.Fatalf("%s arg %d = %v (%T), want %v (%T)", name, i, got, got, want, want)
			}
		}
	}
	return re
}

func TestDeployAndReadBack(t *testing.T) {
	e := newRegEnv(t, 3, 3, 2)
	ctx := ctxT(t)
	if e.reg.ChainID() != 1337 {
		t.Fatalf("chain id %d, want the simulated backend's 1337", e.reg.ChainID())
	}
	owner, err := e.reg.Owner(ctx)
	if err != nil || owner != e.owner.From() {
		t.Fatalf("owner = %s, %v; want %s", owner, err, e.owner.From())
	}
	if m, err := e.reg.Threshold(ctx); err != nil || m != 2 {
		t.Fatalf("threshold = %d, %v; want 2", m, err)
	}
	if n, err := e.reg.OracleCount(ctx); err != nil || n != 3 {
		t.Fatalf("oracleCount = %d, %v; want 3", n, err)
	}
	if a, err := e.reg.MaxAnchorAge(ctx); err != nil || a != 256 {
		t.Fatalf("maxAnchorAge = %d, %v; want 256", a, err)
	}
	if p, err := e.reg.Paused(ctx); err != nil || p {
		t.Fatalf("paused = %v, %v; want false", p, err)
	}
	q, err := e.reg.Quorum(ctx, chain.BlockRange{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Threshold != 2 || len(q.Signers) != 3 {
		t.Fatalf("quorum %+v, want 2 of 3", q)
	}
	for i, k := range e.oracles {
		if q.Signers[i] != addrOf(k) {
			t.Fatalf("oracle %d = %s, want %s (ascending)", i, q.Signers[i], addrOf(k))
		}
		if ok, err := e.reg.IsOracle(ctx, addrOf(k)); err != nil || !ok {
			t.Fatalf("isOracle(%s) = %v, %v", addrOf(k), ok, err)
		}
	}
	sep, err := e.reg.DomainSeparator(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := e.reg.Domain().Separator(); sep != want {
		t.Fatalf("domain separator on chain %s, Go %s", sep, want)
	}
	salt := common.HexToHash("0x5a17")
	id, err := e.reg.MachineIDOf(ctx, e.provider.From(), salt)
	if err != nil || id != chain.MachineID(e.provider.From(), salt) {
		t.Fatalf("machineIdOf = %s, %v; Go says %s", id, err, chain.MachineID(e.provider.From(), salt))
	}
	// OpenRegistry: the right chain and address work, the wrong ones fail clearly.
	if _, err := chain.OpenRegistry(ctx, e.client, e.reg.Address(), 1337); err != nil {
		t.Fatal(err)
	}
	if _, err := chain.OpenRegistry(ctx, e.client, e.reg.Address(), 1); !errors.Is(err, chain.ErrChainMismatch) {
		t.Fatalf("OpenRegistry on the wrong chain id: %v, want ErrChainMismatch", err)
	}
	if _, err := chain.OpenRegistry(ctx, e.client, common.HexToAddress("0x1234"), 0); !errors.Is(err, chain.ErrNoContract) {
		t.Fatalf("OpenRegistry at an empty address: %v, want ErrNoContract", err)
	}
}

// randomVerdict fills every field with random bits within the field's type.
func randomVerdict(r *rand.Rand) verdict.Verdict {
	h := func() common.Hash {
		var b common.Hash
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	var key common.Address
	copy(key[:], h().Bytes())
	return verdict.Verdict{
		MachineID: h(), TEE: uint8(r.Uint32()), Status: verdict.Status(r.Uint32()), TEEKey: key,
		WorkloadID: h(), TCBStatus: uint8(r.Uint32()), TCB: r.Uint64(), PolicyHash: h(), EvidenceHash: h(),
		AnchorBlockNumber: r.Uint64(), AnchorBlockHash: h(), IssuedAt: r.Uint64(), ExpiresAt: r.Uint64(),
		Reasons: r.Uint64(),
	}
}

// TestHashVerdictMatchesGoDigest is the cross-check between oracle/verdict and the
// contract: for many random verdicts (every field random across its whole type, so
// high bits and zero words are both exercised) the contract's hashVerdict equals
// the Go EIP-712 digest.
func TestHashVerdictMatchesGoDigest(t *testing.T) {
	e := newRegEnv(t, 1, 1, 1)
	ctx := ctxT(t)
	r := rand.New(rand.NewPCG(1, 2))
	vs := []verdict.Verdict{{}} // the zero verdict too
	for range 300 {
		vs = append(vs, randomVerdict(r))
	}
	max := verdict.Verdict{TEE: 255, Status: 255, TCBStatus: 255, TCB: ^uint64(0), AnchorBlockNumber: ^uint64(0),
		IssuedAt: ^uint64(0), ExpiresAt: ^uint64(0), Reasons: ^uint64(0)}
	for i := range max.MachineID {
		max.MachineID[i], max.WorkloadID[i], max.PolicyHash[i], max.EvidenceHash[i], max.AnchorBlockHash[i] = 0xff, 0xff, 0xff, 0xff, 0xff
	}
	for i := range max.TEEKey {
		max.TEEKey[i] = 0xff
	}
	vs = append(vs, max)
	for i := range vs {
		got, err := e.reg.HashVerdict(ctx, &vs[i])
		if err != nil {
			t.Fatal(err)
		}
		if want := vs[i].Digest(e.reg.Domain()); got != want {
			t.Fatalf("verdict %d %+v: contract hash %s, Go digest %s", i, vs[i], got, want)
		}
	}
	// The domain matters: another registry address gives another digest.
	other := verdict.Domain{ChainID: e.reg.ChainID(), Registry: common.HexToAddress("0x1")}
	got, _ := e.reg.HashVerdict(ctx, &vs[1])
	if got == vs[1].Digest(other) {
		t.Fatal("digest does not depend on the registry address")
	}
}
