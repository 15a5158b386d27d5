package service_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestPinnedReadsAtPinnedHead: a registry read the node makes with head h pinned is
// the chain's state at h, not at a later block: a machine registered, and a key
// authorised, after h are absent from reads pinned at h and present in reads pinned
// at the head after them (anvil answers calls at a recent block).
func TestPinnedReadsAtPinnedHead(t *testing.T) {
	t.Parallel()
	_, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	before, err := e.client.BlockNumber(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	registered, err := e.client.BlockNumber(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	key := common.HexToAddress("0x7e57")
	e.authorize(t, machine, key)
	after, err := e.client.BlockNumber(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		head  uint64
		state uint8
		key   common.Address
	}{
		{before, 0, common.Address{}},
		{registered, chain.MachineStateRegistered, common.Address{}},
		{after, chain.MachineStateRegistered, key},
	} {
		rec, got, err := service.PinnedReads(ctxT(t), e.client, e.registry, e.chainID, c.head, machine)
		if err != nil {
			t.Fatalf("reads pinned at block %d: %v", c.head, err)
		}
		if rec.State != c.state || got != c.key {
			t.Errorf("reads pinned at block %d: machine state %d, authorised key %s; want the state at that block: %d, %s",
				c.head, rec.State, got, c.state, c.key)
		}
	}
}
