// Package keccak is Ethereum's Keccak-256 without the rest of go-ethereum's crypto
// package: that package links the secp256k1 code and tables, about 1 MB of the
// WebAssembly verifier, which only hashes (docs/wasm.md).
package keccak

import (
	"github.com/ethereum/go-ethereum/common"
	ethkeccak "github.com/ethereum/go-ethereum/crypto/keccak"
)

// Sum256 returns the Keccak-256 of the concatenation of data, as
// go-ethereum's crypto.Keccak256.
func Sum256(data ...[]byte) []byte {
	h := ethkeccak.NewLegacyKeccak256()
	for _, b := range data {
		h.Write(b)
	}
	return h.Sum(nil)
}

// Hash256 is Sum256 as a common.Hash, as go-ethereum's crypto.Keccak256Hash.
func Hash256(data ...[]byte) common.Hash { return common.BytesToHash(Sum256(data...)) }
