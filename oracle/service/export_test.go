package service

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
)

// PinnedReads returns machine id's record and authorised key as the node reads them
// at pinned head: through its cached registry view, with head pinned (withHead).
// Test-only.
func PinnedReads(ctx context.Context, rpc RPC, registry common.Address, chainID, head uint64, id common.Hash) (MachineRecord, common.Address, error) {
	v := newCachedView(newRegistryView(rpc, registry, chainID))
	ctx = withHead(ctx, head)
	rec, err := v.Machine(ctx, id)
	if err != nil {
		return MachineRecord{}, common.Address{}, err
	}
	key, err := v.AuthorizedKey(ctx, id)
	return rec, key, err
}
