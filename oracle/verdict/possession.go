//go:build !(js && wasm)

package verdict

// Signing and recovery need go-ethereum's secp256k1 code (about 1 MB of WebAssembly):
// the WebAssembly verifier only hashes, so this file is not in its build.

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// SignPossession returns the 65-byte proof of possession (r ‖ s ‖ v, v in {0, 1})
// of b's TEE key, which key must be, for the evidence whose canonical hash is
// evidenceHash (Binding.PossessionDigest).
func SignPossession(b Binding, evidenceHash common.Hash, key *ecdsa.PrivateKey) ([]byte, error) {
	if crypto.PubkeyToAddress(key.PublicKey) != b.TEEKey {
		return nil, fmt.Errorf("sign possession: key %s is not the binding's key %s", crypto.PubkeyToAddress(key.PublicKey), b.TEEKey)
	}
	h := b.PossessionDigest(evidenceHash)
	return crypto.Sign(h[:], key)
}

// VerifyPossession checks that sig is b's TEE key's proof of possession for the
// evidence whose canonical hash is evidenceHash: 65 bytes, v in {0, 1} (27 and 28 are
// accepted too), low s, recovering to b.TEEKey from Binding.PossessionDigest. A proof
// made for other evidence, or over the version 1 digest, recovers to another address
// and is refused.
func VerifyPossession(b Binding, evidenceHash common.Hash, sig []byte) error {
	if len(sig) != 65 {
		return fmt.Errorf("%w: %d bytes, want 65", ErrPossession, len(sig))
	}
	s := append([]byte(nil), sig...)
	if s[64] >= 27 {
		s[64] -= 27
	}
	r, sv := new(big.Int).SetBytes(s[:32]), new(big.Int).SetBytes(s[32:64])
	if !crypto.ValidateSignatureValues(s[64], r, sv, true) {
		return fmt.Errorf("%w: r, s or v out of range (s must be low)", ErrPossession)
	}
	h := b.PossessionDigest(evidenceHash)
	pub, err := crypto.SigToPub(h[:], s)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPossession, err)
	}
	if got := crypto.PubkeyToAddress(*pub); got != b.TEEKey {
		return fmt.Errorf("%w: signed by %s, not by the key %s", ErrPossession, got, b.TEEKey)
	}
	return nil
}
