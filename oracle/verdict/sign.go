//go:build !(js && wasm)

package verdict

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// SignatureSize is the size of an r ‖ s ‖ v signature.
const SignatureSize = 65

// Errors of signature checking and quorum assembly. Each is returned wrapped, with
// the index of the offending signature where there is one.
var (
	// ErrBadSignature: not 65 bytes, v not 27 or 28, s not in the lower half of the
	// curve order, or no public key recovers from it.
	ErrBadSignature = errors.New("bad signature")
	// ErrUnknownSigner: the signature recovers to an address outside the signer set.
	ErrUnknownSigner = errors.New("signer is not an oracle")
	// ErrNotAscending: signatures are not ordered by signer strictly ascending
	// (which is also how a duplicate signer shows).
	ErrNotAscending = errors.New("signers not strictly ascending")
	// ErrBelowQuorum: fewer distinct known signers than the threshold.
	ErrBelowQuorum = errors.New("fewer signatures than the quorum")
)

// curveN returns the secp256k1 group order n. A signature with s > n/2 is the
// malleable twin of one with n-s, and the registry (like OpenZeppelin's ECDSA)
// refuses it. Fresh values per call: a shared *big.Int would be a mutable global.
func curveN() *big.Int {
	n, _ := new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)
	return n
}

func curveHalfN() *big.Int { return new(big.Int).Rsh(curveN(), 1) }

// Sign signs digest with key and returns r ‖ s ‖ v with v = 27 or 28 and low s.
func Sign(digest common.Hash, key *ecdsa.PrivateKey) ([]byte, error) {
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		return nil, fmt.Errorf("sign verdict digest: %w", err)
	}
	// go-ethereum's signer already produces low s; normalising anyway means the
	// invariant holds whichever secp256k1 backend (cgo or pure Go) was built.
	s := new(big.Int).SetBytes(sig[32:64])
	if s.Cmp(curveHalfN()) > 0 {
		s.Sub(curveN(), s)
		s.FillBytes(sig[32:64])
		sig[64] ^= 1
	}
	sig[64] += 27
	return sig, nil
}

// SignVerdict signs v's EIP-712 digest under domain d.
func SignVerdict(v *Verdict, d Domain, key *ecdsa.PrivateKey) ([]byte, error) {
	return Sign(v.Digest(d), key)
}

// Recover returns the address that signed digest, applying the registry's rules
// (65 bytes, v 27 or 28, low s).
func Recover(digest common.Hash, sig []byte) (common.Address, error) {
	if len(sig) != SignatureSize {
		return common.Address{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadSignature, len(sig), SignatureSize)
	}
	v := sig[64]
	if v != 27 && v != 28 {
		return common.Address{}, fmt.Errorf("%w: v is %d, want 27 or 28", ErrBadSignature, v)
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:64])
	if r.Sign() == 0 || r.Cmp(curveN()) >= 0 || s.Sign() == 0 || s.Cmp(curveHalfN()) > 0 {
		return common.Address{}, fmt.Errorf("%w: r or s out of range (s must be at most n/2)", ErrBadSignature)
	}
	raw := make([]byte, SignatureSize)
	copy(raw, sig)
	raw[64] = v - 27
	pub, err := crypto.SigToPub(digest[:], raw)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Signature is a signature with the address it recovers to.
type Signature struct {
	Signer common.Address
	Sig    []byte
}

// Quorum is a set of oracle signers and the number M of them a verdict needs.
type Quorum struct {
	Signers   []common.Address
	Threshold int
}

func (q Quorum) has(a common.Address) bool { return slices.Contains(q.Signers, a) }

// Assemble turns signatures gathered from oracles into the list the registry
// accepts: each is recovered, unreadable ones and those of signers outside q are
// dropped, a signer's second signature is dropped, and the rest are ordered by
// signer ascending. It fails with ErrBelowQuorum when fewer than q.Threshold remain;
// the dropped signatures are reported in the error so that an operator sees why.
func Assemble(digest common.Hash, sigs [][]byte, q Quorum) ([]Signature, error) {
	var (
		out     []Signature
		dropped []error
	)
	seen := make(map[common.Address]bool, len(sigs))
	for i, sig := range sigs {
		signer, err := Recover(digest, sig)
		switch {
		case err != nil:
			dropped = append(dropped, fmt.Errorf("signature %d: %w", i, err))
			continue
		case !q.has(signer):
			dropped = append(dropped, fmt.Errorf("signature %d: %w: %s", i, ErrUnknownSigner, signer))
			continue
		case seen[signer]:
			continue // a duplicate adds nothing and the registry would refuse it
		}
		seen[signer] = true
		out = append(out, Signature{Signer: signer, Sig: slices.Clone(sig)})
	}
	SortBySigner(out)
	if q.Threshold < 1 || len(out) < q.Threshold {
		return nil, fmt.Errorf("%w: %d distinct oracle signatures, need %d: %w",
			ErrBelowQuorum, len(out), q.Threshold, errors.Join(dropped...))
	}
	return out, nil
}

// SortBySigner orders signatures by signer address ascending, as the registry
// requires.
func SortBySigner(sigs []Signature) {
	slices.SortFunc(sigs, func(a, b Signature) int { return bytes.Compare(a.Signer[:], b.Signer[:]) })
}

// Verify checks sigs exactly as the registry does: every signature valid and from a
// signer in q, signers strictly ascending, and at least q.Threshold of them.
func Verify(digest common.Hash, sigs [][]byte, q Quorum) error {
	var prev common.Address
	for i, sig := range sigs {
		signer, err := Recover(digest, sig)
		if err != nil {
			return fmt.Errorf("signature %d: %w", i, err)
		}
		if !q.has(signer) {
			return fmt.Errorf("signature %d: %w: %s", i, ErrUnknownSigner, signer)
		}
		if i > 0 && bytes.Compare(signer[:], prev[:]) <= 0 {
			return fmt.Errorf("signature %d: %w: %s after %s", i, ErrNotAscending, signer, prev)
		}
		prev = signer
	}
	if q.Threshold < 1 || len(sigs) < q.Threshold {
		return fmt.Errorf("%w: %d signatures, need %d", ErrBelowQuorum, len(sigs), q.Threshold)
	}
	return nil
}

// Sigs returns the raw signatures of sigs in order, as the contract call takes them.
func Sigs(sigs []Signature) [][]byte {
	out := make([][]byte, len(sigs))
	for i, s := range sigs {
		out[i] = s.Sig
	}
	return out
}
