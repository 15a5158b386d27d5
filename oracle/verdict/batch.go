package verdict

import (
	"sync"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/keccak"
)

// BatchTypeString is the EIP-712 type of a batch of verdicts, exactly as the
// contract declares it: the primary type followed by the referenced Verdict type.
const BatchTypeString = "VerdictBatch(Verdict[] verdicts)" + TypeString

var batchTypeHash = sync.OnceValue(func() common.Hash { return keccak.Hash256([]byte(BatchTypeString)) })

// BatchStructHash returns the EIP-712 hashStruct of a VerdictBatch:
// keccak256(abi.encode(BATCH_TYPEHASH, keccak256(structHash(v_0) ‖ ... ‖ structHash(v_n-1)))),
// an array of structs being encoded as the keccak of its members' struct hashes
// concatenated. Order matters: the same verdicts in another order are another batch.
func BatchStructHash(vs []*Verdict) common.Hash {
	shs := make([]common.Hash, len(vs))
	for i, v := range vs {
		shs[i] = v.StructHash()
	}
	return batchStructHashOf(shs)
}

// batchStructHashOf is BatchStructHash over the verdicts' struct hashes.
func batchStructHashOf(structHashes []common.Hash) common.Hash {
	members := make([]byte, 0, 32*len(structHashes))
	for _, sh := range structHashes {
		members = append(members, sh[:]...)
	}
	th := batchTypeHash()
	list := keccak.Hash256(members)
	return keccak.Hash256(th[:], list[:])
}

// BatchDigest returns the EIP-712 digest keccak256(0x1901 ‖ domainSeparator ‖
// BatchStructHash(vs)) that oracles sign once for a whole batch. Each verdict of the
// batch keeps its own digest (Verdict.Digest), by which it is stored and audited.
func BatchDigest(d Domain, vs []*Verdict) common.Hash {
	ds := d.Separator()
	sh := BatchStructHash(vs)
	return keccak.Hash256([]byte{0x19, 0x01}, ds[:], sh[:])
}

// BatchDigestOf is BatchDigest given the verdicts' struct hashes (Verdict.StructHash)
// in the batch's order, for a caller that computed them already.
func BatchDigestOf(d Domain, structHashes []common.Hash) common.Hash {
	ds := d.Separator()
	sh := batchStructHashOf(structHashes)
	return keccak.Hash256([]byte{0x19, 0x01}, ds[:], sh[:])
}

// DigestOf is Verdict.Digest given the verdict's struct hash.
func DigestOf(d Domain, structHash common.Hash) common.Hash {
	ds := d.Separator()
	return keccak.Hash256([]byte{0x19, 0x01}, ds[:], structHash[:])
}
