package verdict

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// katVerdict2 is the second verdict of the batch known answer. Its struct hash and
// the batch's hashes were computed independently with Foundry's cast:
//
//	SH2=$(cast keccak $(cast abi-encode "f(bytes32,bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64)" $TH 0x77..77 1 2 0x88..88 0x00..00 0 1 0x44..44 0x99..99 123457 0xaa..aa 1700000001 1700003601 3))
//	BTH=$(cast keccak "VerdictBatch(Verdict[] verdicts)Verdict(...)")
//	LIST=$(cast keccak $(cast concat-hex $SH1 $SH2))
//	BSH=$(cast keccak $(cast abi-encode "f(bytes32,bytes32)" $BTH $LIST))
//	cast keccak $(cast concat-hex 0x1901 $DOMAIN_SEPARATOR $BSH)
func katVerdict2() Verdict {
	return Verdict{
		MachineID: rep(0x77), TEE: TEESEVSNP, Status: StatusUntrusted,
		TEEKey: common.BytesToAddress(bytes.Repeat([]byte{0x88}, 20)), TCB: 1, PolicyHash: rep(0x44),
		EvidenceHash: rep(0x99), AnchorBlockNumber: 123457, AnchorBlockHash: rep(0xaa),
		IssuedAt: 1700000001, ExpiresAt: 1700003601, Reasons: 3,
	}
}

func TestBatchKnownAnswers(t *testing.T) {
	v1, v2 := katVerdict(), katVerdict2()
	for _, tc := range []struct {
		name string
		got  common.Hash
		want string
	}{
		{"batch type hash", batchTypeHash(), "0xd3a78b836d8779a937caf32e25f5a70fbbfc85124c0ab85f5a542e3eb80c1a17"},
		{"second struct hash", v2.StructHash(), "0xd7040b16e5550b3d0194b1b5206436eef2c02d989e0fc941b836f4d0f093ae52"},
		{"batch struct hash", BatchStructHash([]*Verdict{&v1, &v2}), "0xee49408359959d1ccff0e187685e02111732de0e17f867221bcdff63ca8890a8"},
		{"batch digest", BatchDigest(katDomain, []*Verdict{&v1, &v2}), "0xfb188363cc147e2fcf1e1f6b95fcc63c9949e7061dc63a87814b67f5054f622a"},
		{"batch of one", BatchDigest(katDomain, []*Verdict{&v1}), "0x43468812e9d1df548240ca48500fa7e56cf5241b423e603b2d17960f9359144c"},
		{"empty batch", BatchDigest(katDomain, nil), "0xb86a220354d12be8b56d8b6ae32b820e442d272c1574848589e0d3ef8040eb53"},
	} {
		if tc.got != common.HexToHash(tc.want) {
			t.Errorf("%s = %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

// batchTypedData is the go-ethereum apitypes form of a batch, an independent
// EIP-712 implementation (arrays of structs included) to check ours against.
func batchTypedData(vs []Verdict, d Domain) apitypes.TypedData {
	td := typedData(Verdict{}, d)
	td.Types["VerdictBatch"] = []apitypes.Type{{Name: "verdicts", Type: "Verdict[]"}}
	td.PrimaryType = "VerdictBatch"
	list := make([]interface{}, len(vs))
	for i, v := range vs {
		list[i] = map[string]interface{}(typedData(v, d).Message)
	}
	td.Message = apitypes.TypedDataMessage{"verdicts": list}
	return td
}

func TestBatchDigestMatchesAPITypes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 12 {
		vs := make([]Verdict, n)
		ptrs := make([]*Verdict, n)
		for i := range vs {
			vs[i] = randomVerdict(r)
			ptrs[i] = &vs[i]
		}
		d := Domain{ChainID: r.Uint64() >> 1, Registry: common.Address{byte(n), 1}}
		want, _, err := apitypes.TypedDataAndHash(batchTypedData(vs, d))
		if err != nil {
			t.Fatalf("batch of %d: apitypes: %v", n, err)
		}
		if got := BatchDigest(d, ptrs); !bytes.Equal(got[:], want) {
			t.Errorf("batch of %d: digest %s, apitypes %x", n, got, want)
		}
	}
}

// A batch digest commits to every verdict, their order and count, and the domain,
// and is never a single verdict's digest.
func TestBatchDigestCommitsToEverything(t *testing.T) {
	v1, v2 := katVerdict(), katVerdict2()
	ref := BatchDigest(katDomain, []*Verdict{&v1, &v2})
	changed := v2
	changed.Reasons ^= 1
	for name, got := range map[string]common.Hash{
		"order swapped":   BatchDigest(katDomain, []*Verdict{&v2, &v1}),
		"verdict changed": BatchDigest(katDomain, []*Verdict{&v1, &changed}),
		"verdict dropped": BatchDigest(katDomain, []*Verdict{&v1}),
		"verdict doubled": BatchDigest(katDomain, []*Verdict{&v1, &v2, &v2}),
		"other chain":     BatchDigest(Domain{ChainID: katDomain.ChainID + 1, Registry: katDomain.Registry}, []*Verdict{&v1, &v2}),
		"other registry":  BatchDigest(Domain{ChainID: katDomain.ChainID, Registry: common.Address{1}}, []*Verdict{&v1, &v2}),
	} {
		if got == ref {
			t.Errorf("%s: batch digest unchanged", name)
		}
	}
	if BatchDigest(katDomain, []*Verdict{&v1}) == v1.Digest(katDomain) {
		t.Error("a batch of one has the verdict's own digest: a verdict signature would pass for a batch signature")
	}
}

func TestSignBatchRecovers(t *testing.T) {
	ks := keys(t, 3)
	v1, v2 := katVerdict(), katVerdict2()
	batch := []*Verdict{&v1, &v2}
	var sigs [][]byte
	q := Quorum{Threshold: 2}
	for _, k := range ks {
		sig, err := SignBatch(batch, katDomain, k)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := RecoverBatch(batch, katDomain, sig)
		if err != nil {
			t.Fatal(err)
		}
		q.Signers = append(q.Signers, signer)
		sigs = append(sigs, sig)
	}
	got, err := Assemble(BatchDigest(katDomain, batch), sigs, q)
	if err != nil {
		t.Fatalf("assemble batch signatures: %v", err)
	}
	if err := Verify(BatchDigest(katDomain, batch), Sigs(got), q); err != nil {
		t.Fatalf("verify assembled batch signatures: %v", err)
	}
	// A batch signature is for that batch only: over the batch reordered, or over a
	// verdict of it alone, it recovers to someone else.
	swapped := []*Verdict{&v2, &v1}
	if err := Verify(BatchDigest(katDomain, swapped), Sigs(got), q); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("signatures over the batch verified for the batch reordered: %v", err)
	}
	if err := Verify(v1.Digest(katDomain), Sigs(got), q); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("signatures over the batch verified for its first verdict alone: %v", err)
	}
}
