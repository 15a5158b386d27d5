package devnet

import (
	"cmp"
	"context"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// fleetSize is the fleet TestFleet attests: 300, or TEEORACLE_FLEET machines.
func fleetSize(t *testing.T) int {
	v := os.Getenv("TEEORACLE_FLEET")
	if v == "" {
		return 300
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("TEEORACLE_FLEET=%q: want a positive number of machines", v)
	}
	return n
}

// fleetEpoch is the nodes' re-appraisal epoch in TestFleet: the node's default (10
// minutes), or TEEORACLE_FLEET_EPOCH (a Go duration such as 1m), so that a run
// crosses several epochs of each machine.
func fleetEpoch(t *testing.T) time.Duration {
	v := os.Getenv("TEEORACLE_FLEET_EPOCH")
	if v == "" {
		return 0 // the node's default
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		t.Fatalf("TEEORACLE_FLEET_EPOCH=%q: want a duration of at least 1s", v)
	}
	return d
}

// logReappraisals logs the verdicts each node's store records as re-appraised
// (at least once) in the run that started at t0.
func logReappraisals(t *testing.T, d *Devnet, n int, t0 time.Time) {
	stores := []*store.Store{d.st}
	for _, o := range d.others {
		stores = append(stores, o.st)
	}
	marks := make([]int, len(stores))
	for i, st := range stores {
		err := st.MetaPrefix("reappraised/", func(string, []byte) error { marks[i]++; return nil })
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("fleet of %d: re-appraisal epoch %s; verdicts re-appraised at least once per node %v (the run took %s)",
		n, cmp.Or(fleetEpoch(t), 10*time.Minute), marks, time.Since(t0).Round(time.Second))
}

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestFleet: a fleet of simulated SEV-SNP machines (300; TEEORACLE_FLEET=10000 for
// the scale the design is for) registered by one provider attests, 256 agents at a
// time (each polling its submission every 500 ms), to the first of three oracle
// nodes with a 2-of-3 quorum on anvil; every machine must end trusted on-chain. It reports the wall time of set-up and
// attestation, the transactions and their gas per machine, the CPU of this process
// (the three nodes, the agents and the simulated hardware; anvil not included)
// and the nodes' databases per machine, and the verdicts accepted against the batch
// entries skipped; it fails when skipped entries reach 25% of the accepted verdicts
// (verdicts relayed by more than one node: 70-90% before relay claims, 0-10% with
// them on a loaded machine). Figures: docs/operator.md, "Fleet".
//
//	TEEORACLE_FLEET=10000 go test ./oracle/devnet -run TestFleet -v -timeout 2h
//	TEEORACLE_FLEET=2000 TEEORACLE_FLEET_EPOCH=1m go test ./oracle/devnet -run TestFleet -v -timeout 60m
func TestFleet(t *testing.T) {
	n := fleetSize(t)
	bin := testchain.AnvilPath()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("anvil not found under .tools/node_modules (run scripts/install-toolchain); CI is set, so this is a failure")
		}
		t.Skip("anvil not found under .tools/node_modules; run scripts/install-toolchain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute+time.Duration(n)*250*time.Millisecond)
	defer cancel()
	dir := t.TempDir()
	t0 := time.Now()
	d, err := Start(ctx, Options{Anvil: true, AnvilPath: bin, DataDir: dir, Oracles: 3, Threshold: 2,
		SNPMachines: -1, TDXMachines: -1, Validity: 24 * time.Hour, Logger: testLogger(t),
		// Every agent and the nodes' requests to each other come from 127.0.0.1.
		API: func(c *api.Config) {
			c.RateLimit, c.MaxEvidencePerClient, c.EvidenceByteRate, c.MaxConnsPerClient = -1, 1<<20, 1<<40, 2048
		},
		// The node's re-appraisal epoch (10 minutes; the devnet's 10 s would
		// re-appraise the whole fleet every 10 s), or TEEORACLE_FLEET_EPOCH: each
		// machine falls due at its own offset within it, so re-appraisals go on
		// through the run. Batches of up to 100 verdicts (32 by default): a node
		// relays one batch at a time, each waiting for its receipt.
		Node: func(c *service.Config) { c.ReappraiseEpoch, c.BatchMax = fleetEpoch(t), 100 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	ms, setupGas, err := d.AddFleet(ctx, n, 64, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	b1, err := d.Chain.Client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t1, cpu1 := time.Now(), cpuTime(t)
	rounds, err := d.AttestFleet(ctx, ms, 256, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t2, cpu2 := time.Now(), cpuTime(t)
	for _, r := range rounds {
		switch {
		case r.Err != nil:
			t.Fatalf("%s: %v", r.Machine.Name, r.Err)
		case !r.Round.Trusted:
			t.Fatalf("%s: round %+v: not trusted", r.Machine.Name, r.Round)
		}
	}
	// Only the oracles send transactions while the fleet attests: the blocks of the
	// attestation hold the oracles' verdict batches and nothing else.
	txs, attestGas := blockTxs(ctx, t, d, b1+1)
	accepted, skipped := verdictEvents(ctx, t, d, b1+1)
	untrusted := fleetUntrusted(ctx, t, d, ms)
	if len(untrusted) > 0 {
		t.Fatalf("%d of %d machines not trusted on-chain after attesting, e.g. %s", len(untrusted), n, untrusted[0])
	}
	var disk int64
	for _, f := range []string{"node.db", "oracle-2.db", "oracle-3.db"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		disk += st.Size()
	}
	t.Logf("fleet of %d: set-up %s (%d registerMachine+authorizeKey transactions, %d gas per machine), attestation %s (%.0f machines/s)",
		n, t1.Sub(t0).Round(time.Millisecond), 2*n, setupGas/uint64(n), t2.Sub(t1).Round(time.Millisecond), float64(n)/t2.Sub(t1).Seconds())
	t.Logf("fleet of %d: %d verdict transactions (the oracles' batches), %d gas per machine; CPU of this process during attestation %s (%.2f ms per machine, three nodes + agents + simulated hardware); nodes' databases %d bytes (%d per machine per node)",
		n, txs, attestGas/uint64(n), (cpu2 - cpu1).Round(time.Millisecond), float64((cpu2-cpu1).Microseconds())/1000/float64(n), disk, disk/int64(3*n))
	t.Logf("fleet of %d: %d verdicts accepted, %d batch entries skipped (%.1f%% of accepted: relayed by more than one node, or refused)",
		n, accepted, skipped, 100*float64(skipped)/float64(max(accepted, 1)))
	logReappraisals(t, d, n, t0)
	// Every machine attests once, to nodes that all agree: an entry skipped is a
	// verdict relayed by more than one node (a co-signed batch claims its verdicts).
	if accepted < n || skipped*4 >= accepted {
		t.Errorf("%d verdicts accepted for %d machines and %d batch entries skipped: want at least one per machine and skipped under 25%% of accepted (duplicate relaying)",
			accepted, n, skipped)
	}
}

// verdictEvents counts the registry's VerdictAccepted/VerdictRecorded and
// VerdictSkipped events from block from to the head.
func verdictEvents(ctx context.Context, t *testing.T, d *Devnet, from uint64) (accepted, skipped int) {
	a := d.Registry.ABI()
	q := ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(from), Addresses: []common.Address{d.Registry.Address()}}
	logs, err := d.Chain.Client.FilterLogs(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		switch l.Topics[0] {
		case a.Events["VerdictAccepted"].ID, a.Events["VerdictRecorded"].ID:
			accepted++
		case a.Events["VerdictSkipped"].ID:
			skipped++
		}
	}
	return accepted, skipped
}

// fleetUntrusted returns the machines of ms the registry does not trust.
func fleetUntrusted(ctx context.Context, t *testing.T, d *Devnet, ms []*Machine) []string {
	var mu sync.Mutex
	var out []string
	next := make(chan *Machine)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				ok, err := d.Registry.IsTrusted(ctx, m.ID)
				if err != nil || !ok {
					mu.Lock()
					out = append(out, m.Name)
					mu.Unlock()
				}
			}
		}()
	}
	for _, m := range ms {
		next <- m
	}
	close(next)
	wg.Wait()
	return out
}

// blockTxs returns the transactions and the gas of blocks from..head.
func blockTxs(ctx context.Context, t *testing.T, d *Devnet, from uint64) (int, uint64) {
	counter, ok := d.Chain.Client.(interface {
		TransactionCount(context.Context, common.Hash) (uint, error)
	})
	if !ok {
		t.Fatalf("chain client %T cannot count a block's transactions", d.Chain.Client)
	}
	head, err := d.Chain.Client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txs, gas := 0, uint64(0)
	for b := from; b <= head; b++ {
		h, err := d.Chain.Client.HeaderByNumber(ctx, new(big.Int).SetUint64(b))
		if err != nil {
			t.Fatal(err)
		}
		c, err := counter.TransactionCount(ctx, h.Hash())
		if err != nil {
			t.Fatal(err)
		}
		txs += int(c)
		gas += h.GasUsed
	}
	return txs, gas
}
