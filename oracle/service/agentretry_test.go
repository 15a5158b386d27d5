package service_test

import (
	"math/rand/v2"
	"testing"
	"time"
)

// agentBudget is how long a test agent keeps retrying a node that answers 503 or
// 429 before the test fails: long enough to ride out an RPC endpoint failing a
// third of its requests or a chain restart, short enough to keep a failing test
// quick.
const agentBudget = 60 * time.Second

// retryUnavailable calls do until it answers something other than 503 (the node
// could not read the chain, or no block is new enough yet) or 429 (rate limited),
// as a real agent does (oracle/agent): exponential back-off from 100 ms to 2 s with
// jitter, within an overall deadline. It returns the last status, and fails the test
// when the node was still unavailable at the deadline.
func retryUnavailable(t testing.TB, what string, budget time.Duration, do func() int) int {
	t.Helper()
	deadline := time.Now().Add(budget)
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		code := do()
		if code != 503 && code != 429 {
			return code
		}
		if time.Now().Add(wait).After(deadline) {
			t.Fatalf("%s: still HTTP %d after %d attempts in %s", what, code, attempt, budget)
		}
		// Jitter in [wait/2, wait): many agents backing off together do not retry in
		// lockstep.
		time.Sleep(wait/2 + rand.N(wait/2))
		wait = min(2*wait, 2*time.Second)
	}
}
