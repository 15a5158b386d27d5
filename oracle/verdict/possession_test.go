package verdict_test

import (
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

func possessionBinding(t *testing.T) (verdict.Binding, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b := verdict.Binding{ChainID: 31337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
		MachineID: common.HexToHash("0x11"), TEEKey: crypto.PubkeyToAddress(k.PublicKey), AnchorBlockNumber: 7,
		AnchorBlockHash: common.HexToHash("0x77")}
	return b, k
}

// evA and evB are the canonical hashes of two different pieces of evidence.
var (
	evA = common.HexToHash("0xa1")
	evB = common.HexToHash("0xb2")
)

func TestPossessionRoundTrip(t *testing.T) {
	b, k := possessionBinding(t)
	sig, err := verdict.SignPossession(b, evA, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := verdict.VerifyPossession(b, evA, sig); err != nil {
		t.Fatalf("own proof refused: %v", err)
	}
	// v as 27/28 (what wallets produce) is accepted too.
	alt := append([]byte(nil), sig...)
	alt[64] += 27
	if err := verdict.VerifyPossession(b, evA, alt); err != nil {
		t.Fatalf("proof with v+27 refused: %v", err)
	}
}

// Every rule of a proof of possession, broken one at a time, is refused with
// ErrPossession.
func TestPossessionRejects(t *testing.T) {
	b, k := possessionBinding(t)
	sig, err := verdict.SignPossession(b, evA, k)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := crypto.GenerateKey()
	strangerB := b
	strangerB.TEEKey = crypto.PubkeyToAddress(other.PublicKey)
	strangerSig, err := verdict.SignPossession(strangerB, evA, other)
	if err != nil {
		t.Fatal(err)
	}
	highS := append([]byte(nil), sig...)
	{
		// s' = n - s is the malleated twin of the same signature.
		n := crypto.S256().Params().N
		s := new(big.Int).SetBytes(sig[32:64])
		s.Sub(n, s)
		s.FillBytes(highS[32:64])
		highS[64] ^= 1
	}
	for _, tc := range []struct {
		name string
		b    verdict.Binding
		ev   common.Hash
		sig  []byte
	}{
		{"empty", b, evA, nil},
		{"short", b, evA, sig[:64]},
		{"long", b, evA, append(append([]byte(nil), sig...), 0)},
		{"bad v", b, evA, append(append([]byte(nil), sig[:64]...), 5)},
		{"high s", b, evA, highS},
		{"another key's proof", b, evA, strangerSig},
		{"other machine", func() verdict.Binding { c := b; c.MachineID = common.HexToHash("0x12"); return c }(), evA, sig},
		{"other anchor", func() verdict.Binding { c := b; c.AnchorBlockNumber++; return c }(), evA, sig},
		{"other registry", func() verdict.Binding { c := b; c.Registry[0] ^= 1; return c }(), evA, sig},
		{"other chain", func() verdict.Binding { c := b; c.ChainID++; return c }(), evA, sig},
		{"other evidence", b, evB, sig},
		{"no evidence", b, common.Hash{}, sig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verdict.VerifyPossession(tc.b, tc.ev, tc.sig); !errors.Is(err, verdict.ErrPossession) {
				t.Fatalf("VerifyPossession = %v, want ErrPossession", err)
			}
		})
	}
	if _, err := verdict.SignPossession(strangerB, evA, k); err == nil {
		t.Fatal("SignPossession signed for a binding of another key")
	}
}

// The digest is domain-separated from the report data itself and from a plain
// keccak of it.
func TestPossessionDigestIsDomainSeparated(t *testing.T) {
	b, _ := possessionBinding(t)
	rd := b.ReportData()
	if d := b.PossessionDigest(evA); d == common.BytesToHash(rd[:32]) || d == crypto.Keccak256Hash(rd[:32]) ||
		d == crypto.Keccak256Hash(rd[:32], evA[:]) {
		t.Fatal("possession digest is not domain separated")
	}
}

// A proof covers the evidence it was made for: the key's proof for evidence A, seen
// by someone else, does not carry evidence B under the same binding, and the
// digest is keccak256(keccak256("teeoracle.possession.v2") ‖ reportData[0:32] ‖
// evidenceHash), computed here with go-ethereum's keccak rather than the package's.
func TestPossessionCoversEvidence(t *testing.T) {
	b, k := possessionBinding(t)
	rd := b.ReportData()
	want := crypto.Keccak256Hash(crypto.Keccak256([]byte("teeoracle.possession.v2")), rd[:32], evA[:])
	if d := b.PossessionDigest(evA); d != want {
		t.Fatalf("PossessionDigest = %s, want %s", d, want)
	}
	if b.PossessionDigest(evA) == b.PossessionDigest(evB) {
		t.Fatal("the digest does not depend on the evidence hash")
	}
	sigA, err := verdict.SignPossession(b, evA, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := verdict.VerifyPossession(b, evA, sigA); err != nil {
		t.Fatalf("proof for evidence A refused for A: %v", err)
	}
	if err := verdict.VerifyPossession(b, evB, sigA); !errors.Is(err, verdict.ErrPossession) {
		t.Fatalf("proof for evidence A, checked for evidence B: %v, want ErrPossession", err)
	}
	// A signature made by hand over the independently computed digest verifies.
	byHand, err := crypto.Sign(want[:], k)
	if err != nil {
		t.Fatal(err)
	}
	if err := verdict.VerifyPossession(b, evA, byHand); err != nil {
		t.Fatalf("signature over keccak(v2 tag ‖ report data ‖ evidence) refused: %v", err)
	}
}

// A version 1 proof, keccak256(keccak256("teeoracle.possession.v1") ‖
// reportData[0:32]) over the binding alone, does not verify for any evidence: a
// proof seen before version 2 cannot carry evidence either.
func TestPossessionV1ProofRefused(t *testing.T) {
	b, k := possessionBinding(t)
	rd := b.ReportData()
	v1 := crypto.Keccak256Hash(crypto.Keccak256([]byte("teeoracle.possession.v1")), rd[:32])
	sig, err := crypto.Sign(v1[:], k)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []common.Hash{evA, {}, v1, common.BytesToHash(rd[:32])} {
		if err := verdict.VerifyPossession(b, ev, sig); !errors.Is(err, verdict.ErrPossession) {
			t.Fatalf("version 1 proof checked for evidence %s: %v, want ErrPossession", ev, err)
		}
	}
	if verdict.PossessionDomainTag == "teeoracle.possession.v1" {
		t.Fatal("the domain tag is still version 1")
	}
}
