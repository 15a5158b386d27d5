package testchain

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
)

// devBalance is what NewSimulated gives each development account: 10,000 ether,
// like anvil.
func devBalance() *big.Int {
	return new(big.Int).Mul(big.NewInt(10_000), big.NewInt(1e18))
}

// DevAlloc returns a genesis allocation funding every development key.
func DevAlloc() types.GenesisAlloc {
	alloc := types.GenesisAlloc{}
	for i := range DevKeyCount {
		_, addr := DevKey(i)
		alloc[addr] = types.Account{Balance: devBalance()}
	}
	return alloc
}

// NewSimulated starts go-ethereum's in-process simulated chain (chain id 1337) with
// the development accounts funded, and closes it on t.Cleanup. Blocks are mined only
// by Commit.
func NewSimulated(t testing.TB) *simulated.Backend {
	t.Helper()
	sim := simulated.NewBackend(DevAlloc())
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}
