package verdict_test

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// FuzzVerifyPossession: any bytes as a proof of possession, for any binding and
// evidence hash, either verify (then they recover to the binding's key over the
// digest of exactly that binding and evidence) or fail with ErrPossession; nothing
// panics. Seeded with a real proof and its mutations.
func FuzzVerifyPossession(f *testing.F) {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte("teeoracle fuzz possession key")))
	if err != nil {
		f.Fatal(err)
	}
	b := verdict.Binding{ChainID: 31337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
		MachineID: common.HexToHash("0x11"), TEEKey: crypto.PubkeyToAddress(k.PublicKey), AnchorBlockNumber: 7,
		AnchorBlockHash: common.HexToHash("0x77")}
	ev := common.HexToHash("0x55")
	sig, err := verdict.SignPossession(b, ev, k)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig, uint64(7), byte(0), byte(0))
	f.Add(sig, uint64(7), byte(0), byte(1))
	f.Add(sig[:64], uint64(7), byte(0), byte(0))
	f.Add(append(append([]byte(nil), sig[:64]...), 27), uint64(7), byte(0), byte(0))
	f.Add([]byte{}, uint64(0), byte(1), byte(0))
	f.Fuzz(func(t *testing.T, proof []byte, anchor uint64, flip, evFlip byte) {
		c := b
		c.AnchorBlockNumber = anchor
		c.MachineID[0] ^= flip
		e := ev
		e[31] ^= evFlip
		err := verdict.VerifyPossession(c, e, proof)
		if err != nil {
			if !errors.Is(err, verdict.ErrPossession) {
				t.Fatalf("error %v is not ErrPossession", err)
			}
			return
		}
		// Accepted: it must be a proof by the key for exactly this binding.
		h := c.PossessionDigest(e)
		p := append([]byte(nil), proof...)
		if p[64] >= 27 {
			p[64] -= 27
		}
		pub, err := crypto.SigToPub(h[:], p)
		if err != nil || crypto.PubkeyToAddress(*pub) != c.TEEKey {
			t.Fatalf("accepted a proof that does not recover to %s", c.TEEKey)
		}
	})
}
