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

func TestPossessionRoundTrip(t *testing.T) {
	b, k := possessionBinding(t)
	sig, err := verdict.SignPossession(b, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := verdict.VerifyPossession(b, sig); err != nil {
		t.Fatalf("own proof refused: %v", err)
	}
	// v as 27/28 (what wallets produce) is accepted too.
	alt := append([]byte(nil), sig...)
	alt[64] += 27
	if err := verdict.VerifyPossession(b, alt); err != nil {
		t.Fatalf("proof with v+27 refused: %v", err)
	}
}

// Every rule of a proof of possession, broken one at a time, is refused with
// ErrPossession.
func TestPossessionRejects(t *testing.T) {
	b, k := possessionBinding(t)
	sig, err := verdict.SignPossession(b, k)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := crypto.GenerateKey()
	strangerB := b
	strangerB.TEEKey = crypto.PubkeyToAddress(other.PublicKey)
	strangerSig, err := verdict.SignPossession(strangerB, other)
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
		sig  []byte
	}{
		{"empty", b, nil},
		{"short", b, sig[:64]},
		{"long", b, append(append([]byte(nil), sig...), 0)},
		{"bad v", b, append(append([]byte(nil), sig[:64]...), 5)},
		{"high s", b, highS},
		{"another key's proof", b, strangerSig},
		{"other machine", func() verdict.Binding { c := b; c.MachineID = common.HexToHash("0x12"); return c }(), sig},
		{"other anchor", func() verdict.Binding { c := b; c.AnchorBlockNumber++; return c }(), sig},
		{"other registry", func() verdict.Binding { c := b; c.Registry[0] ^= 1; return c }(), sig},
		{"other chain", func() verdict.Binding { c := b; c.ChainID++; return c }(), sig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verdict.VerifyPossession(tc.b, tc.sig); !errors.Is(err, verdict.ErrPossession) {
				t.Fatalf("VerifyPossession = %v, want ErrPossession", err)
			}
		})
	}
	if _, err := verdict.SignPossession(strangerB, k); err == nil {
		t.Fatal("SignPossession signed for a binding of another key")
	}
}

// The digest is domain-separated from the report data itself and from a plain
// keccak of it.
func TestPossessionDigestIsDomainSeparated(t *testing.T) {
	b, _ := possessionBinding(t)
	rd := b.ReportData()
	if d := b.PossessionDigest(); d == common.BytesToHash(rd[:32]) || d == crypto.Keccak256Hash(rd[:32]) {
		t.Fatal("possession digest is not domain separated")
	}
}
