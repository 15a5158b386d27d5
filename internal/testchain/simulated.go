package testchain

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
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
// the development accounts funded and Osaka rules (see OsakaRules), and closes it on
// t.Cleanup. Blocks are mined only by Commit.
func NewSimulated(t testing.TB) *simulated.Backend {
	t.Helper()
	sim := NewSimulatedBackend()
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// NewSimulatedBackend is NewSimulated for programs: the caller closes it.
func NewSimulatedBackend() *simulated.Backend {
	return simulated.NewBackend(DevAlloc(), OsakaRules)
}

// OsakaRules is a simulated-backend option that runs the chain on Osaka, the fork
// Ethereum mainnet runs, instead of go-ethereum's default for dev chains, which
// also enables unreleased forks (in v1.17 "Bogota", whose EIP-8037/8038 reprice
// state access): gas figures measured on the simulated chain must be mainnet's.
func OsakaRules(_ *node.Config, eth *ethconfig.Config) {
	cfg := *params.AllDevChainProtocolChanges
	cfg.AmsterdamTime = nil
	cfg.BogotaTime = nil
	eth.Genesis.Config = &cfg
}
