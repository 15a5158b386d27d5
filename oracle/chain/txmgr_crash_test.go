package chain

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/teeoracle/teeoracle/oracle/store"
)

const txCrashEnv = "TEEORACLE_TXMGR_CRASH_CHILD"

// TestTxmgrCrashChildProcess is the oracle half of TestKill9WhileTransactionsInFlight;
// it runs only inside the re-executed test binary: it publishes one signed
// submission after another through the manager until it is killed.
func TestTxmgrCrashChildProcess(t *testing.T) {
	dbPath := os.Getenv(txCrashEnv)
	if dbPath == "" {
		t.Skip("runs only as the child of TestKill9WhileTransactionsInFlight")
	}
	fail := func(err error) { fmt.Println("error", err); os.Exit(3) }
	j, err := store.Open(dbPath, store.Options{})
	if err != nil {
		fail(err)
	}
	c, err := ethclient.Dial(os.Getenv(txCrashEnv + "_URL"))
	if err != nil {
		fail(err)
	}
	key, _ := anvilKey(t)
	cfg := testConfig(t, key, big.NewInt(31337), nil)
	cfg.Logger = nil // t.Log output would never be shown; keep stdout for acks
	m, err := NewTxManager(cfg, c, j)
	if err != nil {
		fail(err)
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("r%s-%d", os.Getenv(txCrashEnv+"_ROUND"), i)
		ref := signedSubmission(t, j, id)
		fmt.Println("signed", id)
		cand := transfer(1)
		cand.Refs = []common.Hash{ref}
		if _, err := m.Send(context.Background(), cand); err != nil {
			fail(err)
		}
		fmt.Println("confirmed", id)
	}
}

// TestKill9WhileTransactionsInFlight kills an oracle process with SIGKILL at random
// moments while it publishes to anvil (200 ms blocks, so kills land between journal,
// broadcast and receipt), three times over one journal; then a new manager recovers
// and the remaining work is published. Every submission must end confirmed by
// exactly one transaction, and every nonce the chain used must be a journaled
// transaction of ours: nothing lost, nothing published twice.
func TestKill9WhileTransactionsInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	a := startAnvil(t, "--block-time", "0.2")
	dbPath := filepath.Join(t.TempDir(), "node.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTxmgrCrashChildProcess$")
		cmd.Env = append(os.Environ(), txCrashEnv+"="+dbPath, txCrashEnv+"_URL="+a.url, fmt.Sprintf("%s_ROUND=%d", txCrashEnv, round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		killAfter := 1 + rng.IntN(6)
		for n := 0; n < killAfter && lines.Scan(); n++ {
			if line := lines.Text(); len(line) > 5 && line[:5] == "error" {
				t.Fatalf("round %d: child: %s", round, line)
			}
		}
		// A random moment into the child's next send (broadcast, journal write,
		// receipt wait): the kill landing anywhere is what this test checks, so the
		// wait is the thing under test, not a wait for something to happen.
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		t.Logf("round %d: killed after %d lines", round, killAfter)
	}

	// The restarted node: recover, then do what the service does with unfinished work.
	j := openJournal(t, dbPath)
	key, from := anvilKey(t)
	m := newManager(t, testConfig(t, key, big.NewInt(31337), nil), a.client, j)
	ctx := ctxTimeout(t, 30*time.Second)
	if err := m.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	var todo []store.Submission
	if err := j.Unfinished(func(s store.Submission) error { todo = append(todo, s); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, s := range todo {
		switch s.State {
		case store.StateSubmitted:
			t.Fatalf("%s still submitted after Recover", s.ID)
		case store.StateReceived, store.StateVerified:
			continue // killed mid-way through signedSubmission: never published; fine
		}
		cand := transfer(1)
		cand.Refs = []common.Hash{s.VerdictHash}
		if _, err := m.Send(ctx, cand); err != nil {
			t.Fatal(err)
		}
	}

	chainNonce, err := a.client.NonceAt(ctx, from, nil)
	if err != nil {
		t.Fatal(err)
	}
	carried := map[common.Hash]int{}
	for n := range chainNonce {
		rec, err := j.Tx(from, n)
		if err != nil || rec.State != store.TxConfirmed {
			t.Fatalf("chain nonce %d is not a confirmed journaled transaction: %+v %v", n, rec.State, err)
		}
		for _, r := range rec.Refs {
			carried[r]++
		}
	}
	confirmed := 0
	for _, id := range allSubmissionIDs(t, j) {
		s, err := j.Submission(id)
		if err != nil {
			t.Fatal(err)
		}
		if s.State == store.StateReceived || s.State == store.StateVerified {
			continue
		}
		if s.State != store.StateConfirmed {
			t.Fatalf("%s ended %s", id, s.State)
		}
		if carried[s.VerdictHash] != 1 {
			t.Fatalf("%s published %d times", id, carried[s.VerdictHash])
		}
		confirmed++
	}
	if got := balanceAt(t, a.client); got != int64(confirmed) || uint64(confirmed) != chainNonce {
		t.Fatalf("recipient has %d wei, chain nonce %d, confirmed submissions %d: want all equal", got, chainNonce, confirmed)
	}
	t.Logf("%d submissions confirmed exactly once across 3 kills", confirmed)
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
}

func allSubmissionIDs(t *testing.T, j *store.Store) []string {
	t.Helper()
	var ids []string
	for round := range 3 {
		for i := 0; ; i++ {
			id := fmt.Sprintf("r%d-%d", round, i)
			if _, err := j.Submission(id); err != nil {
				break
			}
			ids = append(ids, id)
		}
	}
	return ids
}
