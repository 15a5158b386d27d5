package service

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// replayRegistry answers ReplayAt with err, counting the replays.
type replayRegistry struct {
	registryView
	err     error
	replays int
	block   uint64
}

func (r *replayRegistry) ReplayAt(_ context.Context, _ common.Address, _ chain.TxCandidate, block uint64) error {
	r.replays++
	r.block = block
	return r.err
}

// TestRevertOutcomeHandsBackRacesOnly: a verdict transaction whose revert, replayed
// on the state after its block, is a pause or a change of the signer set, or
// which ran out of gas, or which succeeds when replayed, or whose replay the node
// cannot answer (the next pass simulates its verdicts again), hands its verdicts back;
// a revert that is the transaction's own (a malformed batch) fails them; a replay
// cut short by the node stopping leaves the receipt for the next start.
func TestRevertOutcomeHandsBackRacesOnly(t *testing.T) {
	registry := common.HexToAddress("0x1234")
	tx := types.NewTx(&types.DynamicFeeTx{Gas: 100_000, To: &registry, Data: []byte{1, 2, 3}})
	rcpt := func(gas uint64) *types.Receipt {
		return &types.Receipt{Status: types.ReceiptStatusFailed, BlockNumber: big.NewInt(42), GasUsed: gas, TxHash: tx.Hash()}
	}
	cases := []struct {
		name      string
		err       error
		gasUsed   uint64
		retry     bool
		replays   int
		paused    bool
		wantError bool
	}{
		{name: "paused", err: &chain.RevertError{Name: "RegistryPaused"}, gasUsed: 30_000, retry: true, replays: 1, paused: true},
		{name: "oracle removed", err: &chain.RevertError{Name: "UnknownSigner", Args: []any{registry}}, gasUsed: 30_000, retry: true, replays: 1},
		{name: "threshold raised", err: &chain.RevertError{Name: "InsufficientSignatures", Args: []any{big.NewInt(1), big.NewInt(2)}}, gasUsed: 30_000, retry: true, replays: 1},
		{name: "malformed batch", err: &chain.RevertError{Name: "MalformedBatch", Args: []any{big.NewInt(3)}}, gasUsed: 30_000, replays: 1},
		{name: "replay succeeds", gasUsed: 30_000, retry: true, replays: 1},
		{name: "out of gas", err: &chain.RevertError{Name: "MalformedBatch"}, gasUsed: 100_000, retry: true},
		{name: "state of the block pruned", err: errors.New("missing trie node"), gasUsed: 30_000, retry: true, replays: publishReadAttempts},
		{name: "node stopping", err: context.Canceled, gasUsed: 30_000, wantError: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg := &replayRegistry{err: c.err}
			s := &Service{cfg: Config{Now: time.Now}, reg: reg, log: slog.New(slog.DiscardHandler), m: newMetrics(prometheus.NewRegistry())}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if errors.Is(c.err, context.Canceled) {
				cancel()
			}
			retry, reason, err := s.revertOutcome(ctx, tx, rcpt(c.gasUsed))
			if (err != nil) != c.wantError {
				t.Fatalf("error %v, want one: %v", err, c.wantError)
			}
			if retry != c.retry || (err == nil && reason == "") {
				t.Fatalf("retry %v (%q), want %v with a reason", retry, reason, c.retry)
			}
			if c.wantError {
				return
			}
			if reg.replays != c.replays || (c.replays > 0 && reg.block != 42) {
				t.Fatalf("%d replays at block %d, want %d at the receipt's block 42", reg.replays, reg.block, c.replays)
			}
			if s.registryPaused() != c.paused {
				t.Fatalf("registry noted paused: %v, want %v", s.registryPaused(), c.paused)
			}
		})
	}
}
