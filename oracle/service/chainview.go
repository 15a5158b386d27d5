package service

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// RPC is the JSON-RPC surface the node uses: the transaction manager's (chain.Client)
// and the registry client's (chain.RegistryBackend: contract calls and logs).
// *ethclient.Client and the simulated backend's client implement it.
type RPC interface {
	chain.Client
	chain.RegistryBackend
	// BalanceAt returns an account's balance (nil block: the latest), for the
	// readiness check and the balance metric.
	BalanceAt(ctx context.Context, account common.Address, block *big.Int) (*big.Int, error)
}

// MachineRecord is the registry's view of one machine, as the node keeps it.
type MachineRecord struct {
	Provider   common.Address
	TEE        uint8
	State      uint8 // chain.MachineState*
	TEEKey     common.Address
	Status     uint8 // 0 no verdict, 1 trusted, 2 untrusted
	PolicyHash common.Hash
	IssuedAt   uint64
	ExpiresAt  uint64
}

// Machine states of the registry.
const (
	machineRegistered = chain.MachineStateRegistered
)

// registryView is everything the node asks of the TeeRegistry, and nothing more:
// the API's submission checks, the publisher's quorum, simulation and batching, and
// the attestation loop's tracking. chainRegistry implements it with the registry
// client of package chain, the codebase's one way to talk to the registry; the
// interface keeps the node's dependency narrow.
type registryView interface {
	// Machine returns the registry's record of a machine (all zero when unknown).
	Machine(ctx context.Context, id common.Hash) (MachineRecord, error)
	// AuthorizedKey returns the key the machine's provider authorised and no verdict
	// has bound yet (zero when none).
	AuthorizedKey(ctx context.Context, id common.Hash) (common.Address, error)
	// MachineOfKey returns the machine a key is bound to (zero when none).
	MachineOfKey(ctx context.Context, key common.Address) (common.Hash, error)
	// PolicyActive reports whether policy h is registered and active, and its
	// validity in seconds.
	PolicyActive(ctx context.Context, h common.Hash) (bool, uint64, error)
	// Threshold returns the quorum M.
	Threshold(ctx context.Context) (int, error)
	// MaxAnchorAge returns the largest anchor age in blocks the registry accepts.
	MaxAnchorAge(ctx context.Context) (uint64, error)
	// IsOracle reports whether a is a current oracle signer.
	IsOracle(ctx context.Context, a common.Address) (bool, error)
	// SimulateSubmit runs submitVerdict(v, sigs) as an eth_call from `from`,
	// returning the decoded revert (a *chain.RevertError) if it would fail.
	SimulateSubmit(ctx context.Context, from common.Address, v *verdict.Verdict, sigs [][]byte) error
	// ReplayAt runs the transaction c from `from` as an eth_call on the state
	// after block, without a gas limit, returning the decoded revert (a
	// *chain.RevertError) if it fails there.
	ReplayAt(ctx context.Context, from common.Address, c chain.TxCandidate, block uint64) error
	// SubmitBatchTx returns the submission of vs in one transaction under one
	// quorum signature set: sigs are the oracles' signatures over
	// verdict.BatchDigest(domain, vs), by signer ascending. Its Refs are the
	// verdicts' own digests, in order.
	SubmitBatchTx(vs []*verdict.Verdict, sigs [][]byte) (chain.TxCandidate, error)
	// SubmitVerdictsTx returns the submission of vs in one transaction, each with
	// its own quorum signatures (sigs[i] over vs[i]'s digest): the fallback for
	// verdicts no M oracles can co-sign in a batch.
	SubmitVerdictsTx(vs []*verdict.Verdict, sigs [][][]byte) (chain.TxCandidate, error)
	// AcceptedDigests returns the digests of the verdicts accepted for a machine
	// in blocks [from, latest], with the block of each.
	AcceptedDigests(ctx context.Context, machine common.Hash, from uint64) (map[common.Hash]uint64, error)
	// MachinesTouched returns the ids of the machines named by registry events in
	// blocks [from, to].
	MachinesTouched(ctx context.Context, from, to uint64) ([]common.Hash, error)
	// BatchOutcome returns the verdicts a submitBatch receipt accepted (by
	// digest) and the entries it skipped.
	BatchOutcome(rcpt *types.Receipt) (map[common.Hash]bool, []chain.VerdictSkipped, error)
}

// chainRegistry adapts *chain.Registry to the node's registryView: it converts
// the client's types to the node's (ints for the quorum and anchor age, the
// node's MachineRecord) and builds the submission calldata with the client's
// checked builders.
type chainRegistry struct{ r *chain.Registry }

var _ registryView = chainRegistry{}

// newRegistryView returns the node's view of the registry at addr on chain
// chainID, read through rpc. Nothing is dialled until the first read.
func newRegistryView(rpc RPC, addr common.Address, chainID uint64) registryView {
	return chainRegistry{r: chain.NewRegistry(rpc, addr, chainID)}
}

func (c chainRegistry) Machine(ctx context.Context, id common.Hash) (MachineRecord, error) {
	m, err := c.r.Machine(ctx, id)
	if err != nil {
		return MachineRecord{}, err
	}
	return MachineRecord{Provider: m.Provider, TEE: m.TEE, State: m.State, TEEKey: m.TEEKey, Status: uint8(m.Status),
		PolicyHash: m.PolicyHash, IssuedAt: m.IssuedAt, ExpiresAt: m.ExpiresAt}, nil
}

func (c chainRegistry) AuthorizedKey(ctx context.Context, id common.Hash) (common.Address, error) {
	return c.r.AuthorizedKey(ctx, id)
}

func (c chainRegistry) MachineOfKey(ctx context.Context, key common.Address) (common.Hash, error) {
	return c.r.MachineOfKey(ctx, key)
}

func (c chainRegistry) BatchOutcome(rcpt *types.Receipt) (map[common.Hash]bool, []chain.VerdictSkipped, error) {
	return c.r.BatchOutcome(rcpt)
}

func (c chainRegistry) PolicyActive(ctx context.Context, h common.Hash) (bool, uint64, error) {
	p, err := c.r.Policy(ctx, h)
	if err != nil {
		return false, 0, err
	}
	return p.State == chain.PolicyStateActive, p.ValiditySeconds, nil
}

func (c chainRegistry) Threshold(ctx context.Context) (int, error) {
	m, err := c.r.Threshold(ctx)
	return int(m), err
}

func (c chainRegistry) MaxAnchorAge(ctx context.Context) (uint64, error) {
	a, err := c.r.MaxAnchorAge(ctx)
	return uint64(a), err
}

func (c chainRegistry) IsOracle(ctx context.Context, a common.Address) (bool, error) {
	return c.r.IsOracle(ctx, a)
}

func (c chainRegistry) SimulateSubmit(ctx context.Context, from common.Address, v *verdict.Verdict, sigs [][]byte) error {
	cand, err := c.r.SubmitVerdictTx(chain.SignedVerdict{Verdict: *v, Signatures: sigs})
	if err != nil {
		return err
	}
	return c.r.Simulate(ctx, from, cand)
}

func (c chainRegistry) ReplayAt(ctx context.Context, from common.Address, cand chain.TxCandidate, block uint64) error {
	return c.r.AtBlock(block).Simulate(ctx, from, cand)
}

func (c chainRegistry) SubmitBatchTx(vs []*verdict.Verdict, sigs [][]byte) (chain.TxCandidate, error) {
	return c.r.SubmitBatchTx(vs, sigs)
}

func (c chainRegistry) SubmitVerdictsTx(vs []*verdict.Verdict, sigs [][][]byte) (chain.TxCandidate, error) {
	if len(vs) != len(sigs) {
		return chain.TxCandidate{}, fmt.Errorf("%w: %d verdicts with %d signature lists", chain.ErrBadVerdict, len(vs), len(sigs))
	}
	svs := make([]chain.SignedVerdict, len(vs))
	for i, v := range vs {
		svs[i] = chain.SignedVerdict{Verdict: *v, Signatures: sigs[i]}
	}
	return c.r.SubmitVerdictsTx(svs)
}

func (c chainRegistry) AcceptedDigests(ctx context.Context, machine common.Hash, from uint64) (map[common.Hash]uint64, error) {
	evs, err := c.r.VerdictsAccepted(ctx, chain.BlockRange{From: from}, machine)
	if err != nil {
		return nil, err
	}
	out := make(map[common.Hash]uint64, len(evs))
	for _, e := range evs {
		if !e.Removed {
			out[e.Digest] = e.BlockNumber
		}
	}
	return out, nil
}

// acceptedChunk bounds the machines one log read names (topics of one filter
// position; endpoints bound them, go-ethereum's to 1,000).
const acceptedChunk = 100

// acceptedParallel bounds the log reads AcceptedDigestsMany makes at once.
const acceptedParallel = 4

// AcceptedDigestsMany reads the accepted digests of every key, one log read per
// acceptedChunk machines (up to acceptedParallel at once), each from the lowest
// block its keys name; a key's digests are those of its machine from its block on.
// When a read fails, the answer holds the keys of the reads that did not, with the
// first error.
func (c chainRegistry) AcceptedDigestsMany(ctx context.Context, keys []acceptedKey) (map[acceptedKey]map[common.Hash]uint64, error) {
	// Keys of near blocks share a chunk, so that each read's range stays short.
	keys = slices.SortedFunc(slices.Values(keys), func(a, b acceptedKey) int { return cmp.Compare(a.from, b.from) })
	var (
		mu       sync.Mutex
		out      = make(map[acceptedKey]map[common.Hash]uint64, len(keys))
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, acceptedParallel)
	)
	for chunk := range slices.Chunk(keys, acceptedChunk) {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			from := chunk[0].from
			var machines []common.Hash
			for _, k := range chunk {
				from = min(from, k.from)
				if !slices.Contains(machines, k.machine) {
					machines = append(machines, k.machine)
				}
			}
			evs, err := c.r.VerdictsAccepted(ctx, chain.BlockRange{From: from}, machines...)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = cmp.Or(firstErr, err)
				return
			}
			maps.Copy(out, acceptedOf(chunk, evs))
		}()
	}
	wg.Wait()
	return out, firstErr
}

// acceptedOf sorts the events of one log read to the keys it was made for: a key's
// digests are its machine's, accepted in its block or later (removed events
// aside). Every key is in the answer.
func acceptedOf(keys []acceptedKey, evs []chain.VerdictAccepted) map[acceptedKey]map[common.Hash]uint64 {
	byMachine := map[common.Hash][]chain.VerdictAccepted{}
	for _, e := range evs {
		if !e.Removed {
			byMachine[e.MachineID] = append(byMachine[e.MachineID], e)
		}
	}
	out := make(map[acceptedKey]map[common.Hash]uint64, len(keys))
	for _, k := range keys {
		m := map[common.Hash]uint64{}
		for _, e := range byMachine[k.machine] {
			if e.BlockNumber >= k.from {
				m[e.Digest] = e.BlockNumber
			}
		}
		out[k] = m
	}
	return out
}

func (c chainRegistry) MachinesTouched(ctx context.Context, from, to uint64) ([]common.Hash, error) {
	return c.r.MachinesTouched(ctx, chain.Blocks(from, to))
}
