package chain

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
)

// Simulate runs c as an eth_call from `from` against the state the registry's
// reads answer for (the latest block, or AtBlock's), without sending anything. It
// returns nil when the call would succeed and the decoded revert (*RevertError,
// wrapping the node's answer) when it would revert; any other error means the
// chain did not answer. The oracle node simulates each verdict before batching,
// so one refused verdict cannot revert a whole batch.
func (r *Registry) Simulate(ctx context.Context, from common.Address, c TxCandidate) error {
	to := c.To
	if to == nil {
		to = r.to()
	}
	msg := ethereum.CallMsg{From: from, To: to, Data: c.Data, Value: c.Value}
	if _, err := r.backend.CallContract(ctx, msg, r.opts(ctx).BlockNumber); err != nil {
		return fmt.Errorf("registry %s: simulate from %s: %w", r.address, from, decodeRevert(err, r.ABI()))
	}
	return nil
}

// machineEvents are the registry events whose first indexed argument is a machine
// id: everything that changes a machine's record.
var machineEvents = []string{"MachineRegistered", "MachineDeregistered", "VerdictAccepted", "VerdictRecorded", "TeeKeyRotated",
	"KeyBound", "MachineMetadataUpdated", "KeyAuthorized", "KeyRevoked"}

// MachinesTouched returns, in chain order and each once, the ids of the machines
// named by any registry event that changes a machine's record (registration,
// deregistration, verdicts, key rotations and bindings, metadata, key
// authorisations and revocations) in rng: one eth_getLogs, so
// a tracker refreshes exactly those machines.
func (r *Registry) MachinesTouched(ctx context.Context, rng BlockRange) ([]common.Hash, error) {
	logs, err := r.filterLogs(ctx, rng, machineEvents, nil)
	if err != nil {
		return nil, err
	}
	seen := map[common.Hash]bool{}
	var out []common.Hash
	for i := range logs {
		l := &logs[i]
		if l.Removed || len(l.Topics) < 2 {
			continue
		}
		if id := l.Topics[1]; !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}
