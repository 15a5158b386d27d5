package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/internal/retry"
)

// agentBudget is how long a test agent keeps retrying a node that answers 503 or
// 429 before the test fails: long enough to ride out an RPC endpoint failing a
// third of its requests or a chain restart, short enough to keep a failing test
// quick.
const agentBudget = 60 * time.Second

// retryUnavailable calls do until it answers something other than 503 (the node
// could not read the chain, or no block is new enough yet) or 429 (rate limited),
// as a real agent does (oracle/agent's Backoff, with shorter waits): exponential
// back-off from 100 ms to 2 s with jitter, within an overall deadline. It returns
// the last status, and fails the test when the node was still unavailable at the
// deadline.
func retryUnavailable(t testing.TB, what string, budget time.Duration, do func() int) int {
	t.Helper()
	var code, attempts int
	// Jitter 0.5: many agents backing off together do not retry in lockstep.
	p := retry.Policy{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Jitter: 0.5, MaxElapsed: budget}
	err := retry.Do(context.Background(), p, func(context.Context) error {
		attempts++
		if code = do(); code == 503 || code == 429 {
			return errUnavailable
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: still HTTP %d after %d attempts in %s", what, code, attempts, budget)
	}
	return code
}

var errUnavailable = errors.New("node unavailable (HTTP 503 or 429)")
