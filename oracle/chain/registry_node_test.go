package chain_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestSimulateAndMachinesTouched: Simulate answers nil for a verdict the registry
// would accept, sends nothing (the machine stays untrusted), and decodes the
// revert of one it would refuse; MachinesTouched names each machine with a
// registration, verdict or deregistration in the range once, in chain order, and
// none outside it.
func TestSimulateAndMachinesTouched(t *testing.T) {
	e := newRegEnv(t, 2, 2, 2)
	ctx := ctxT(t)
	policy := crypto.Keccak256Hash([]byte("policy simulate"))
	e.mustSend(e.owner, e.reg.RegisterPolicyTx(policy, 3600, "test://policy"))
	start, _, _ := e.head()
	idA := chain.MachineID(e.provider.From(), common.HexToHash("0x0a"))
	idB := chain.MachineID(e.provider.From(), common.HexToHash("0x0b"))
	e.mustSend(e.provider, e.reg.RegisterMachineTx(common.HexToHash("0x0b"), verdict.TEETDX, ""))
	e.mustSend(e.provider, e.reg.RegisterMachineTx(common.HexToHash("0x0a"), verdict.TEESEVSNP, ""))

	teeKey, _ := crypto.GenerateKey()
	e.mustSend(e.provider, e.reg.AuthorizeKeyTx(idA, addrOf(teeKey)))
	v := e.trustedVerdict(idA, addrOf(teeKey), policy, 3600)
	both := e.sign(&v, e.oracles[0], e.oracles[1])
	ok, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: both})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.reg.Simulate(ctx, e.owner.From(), ok); err != nil {
		t.Fatalf("simulate a 2-of-2 verdict: %v", err)
	}
	if trusted, err := e.reg.IsTrusted(ctx, idA); err != nil || trusted {
		t.Fatalf("isTrusted after a simulation = %v, %v; a simulation must not send", trusted, err)
	}
	one, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: both[:1]})
	if err != nil {
		t.Fatal(err)
	}
	wantRevert(t, e.reg.Simulate(ctx, e.owner.From(), one), "InsufficientSignatures", big.NewInt(1), big.NewInt(2))
	// Simulate honours AtBlock: at a block older than the verdict's time the
	// registry refuses it as issued in the future.
	wantRevert(t, e.reg.AtBlock(start).Simulate(ctx, e.owner.From(), ok), "IssuedInFuture")

	e.mustSend(e.owner, ok)
	e.mustSend(e.provider, e.reg.DeregisterMachineTx(idB))
	head, _, _ := e.head()
	got, err := e.reg.MachinesTouched(ctx, chain.Blocks(start+1, head))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != idB || got[1] != idA {
		t.Fatalf("machines touched in %d..%d = %v, want [%s %s]", start+1, head, got, idB, idA)
	}
	if none, err := e.reg.MachinesTouched(ctx, chain.Blocks(0, start)); err != nil || len(none) != 0 {
		t.Fatalf("machines touched before any registration = %v, %v", none, err)
	}
}
