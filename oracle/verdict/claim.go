package verdict

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/keccak"
)

// RelayClaimDomain starts every relay claim digest's preimage. No EIP-712 digest
// (0x1901 ‖ …) nor any other digest an oracle signs starts with it, so a relay
// claim signature never passes for a verdict or batch signature, nor the reverse.
const RelayClaimDomain = "teeoracle.relay-claim.v1\x00"

// RelayClaimDigest is what an oracle signs to tell its peers that it is sending the
// verdicts of hashes (in this order) to the registry of d until the Unix time
// expires: keccak256(RelayClaimDomain ‖ domainSeparator ‖ uint64 expires, big
// endian ‖ keccak256(hash_0 ‖ … ‖ hash_n-1)). The domain ties a claim to one
// registry on one chain; the expiry bounds how long it holds a peer back.
func RelayClaimDigest(d Domain, hashes []common.Hash, expires uint64) common.Hash {
	list := make([]byte, 0, 32*len(hashes))
	for _, h := range hashes {
		list = append(list, h[:]...)
	}
	ds := d.Separator()
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], expires)
	lh := keccak.Hash256(list)
	return keccak.Hash256([]byte(RelayClaimDomain), ds[:], exp[:], lh[:])
}
