//go:build !(js && wasm)

package verdict

import (
	"crypto/ecdsa"

	"github.com/ethereum/go-ethereum/common"
)

// SignBatch signs the batch digest of vs under domain d (r ‖ s ‖ v, low s, as Sign).
func SignBatch(vs []*Verdict, d Domain, key *ecdsa.PrivateKey) ([]byte, error) {
	return Sign(BatchDigest(d, vs), key)
}

// RecoverBatch returns the address that signed the batch digest of vs under d,
// with the registry's rules (as Recover).
func RecoverBatch(vs []*Verdict, d Domain, sig []byte) (common.Address, error) {
	return Recover(BatchDigest(d, vs), sig)
}
