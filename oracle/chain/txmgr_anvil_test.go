package chain

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// anvil is a running anvil process started by a test.
type anvil struct {
	cmd    *exec.Cmd
	url    string
	client *ethclient.Client
	rpc    *rpc.Client
	exited chan struct{}
}

var listeningRE = regexp.MustCompile(`Listening on ([0-9.]+:[0-9]+)`)

// startAnvil runs anvil --port 0 with extra args, reads its address from the
// "Listening on" line, and stops it on cleanup. Without the binary the test is
// skipped, except under CI, where it fails.
func startAnvil(t *testing.T, args ...string) *anvil {
	t.Helper()
	// The native binary, not the npm launcher in .bin: a signal to the launcher
	// would leave the chain running as an orphan.
	bin := testchain.AnvilPath()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("anvil not installed under .tools/node_modules (run scripts/install-toolchain)")
		}
		t.Skip("anvil not installed under .tools/node_modules (run scripts/install-toolchain)")
	}
	cmd := exec.Command(bin, append([]string{"--port", "0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &anvil{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out) // keep draining so anvil never blocks on stdout
	}()
	go func() { _ = cmd.Wait(); close(a.exited) }()
	t.Cleanup(func() { a.kill(syscall.SIGKILL) })
	select {
	case hp := <-addr:
		a.url = "http://" + hp
	case <-a.exited:
		t.Fatal("anvil exited before listening")
	case <-time.After(15 * time.Second):
		t.Fatal("anvil did not report its address")
	}
	if a.rpc, err = rpc.Dial(a.url); err != nil {
		t.Fatal(err)
	}
	a.client = ethclient.NewClient(a.rpc)
	return a
}

// kill signals anvil and waits for it to exit (SIGTERM lets it dump --state).
func (a *anvil) kill(sig syscall.Signal) {
	select {
	case <-a.exited:
		return
	default:
	}
	_ = a.cmd.Process.Signal(sig)
	select {
	case <-a.exited:
	case <-time.After(10 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.exited
	}
	if a.client != nil {
		a.client.Close()
	}
}

func (a *anvil) mine(t *testing.T) {
	t.Helper()
	if err := a.rpc.Call(nil, "evm_mine"); err != nil {
		t.Fatal(err)
	}
}

func anvilManager(t *testing.T, c Client, j Journal) *TxManager {
	key, _ := anvilKey(t)
	return newManager(t, testConfig(t, key, big.NewInt(31337), nil), c, j)
}

func balanceAt(t *testing.T, c *ethclient.Client) int64 {
	t.Helper()
	b, err := c.BalanceAt(context.Background(), recipient, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.Int64()
}

func TestAnvilFeeBumpOnStuckTransaction(t *testing.T) {
	a := startAnvil(t, "--no-mining")
	_, from := anvilKey(t)
	j := openJournal(t, "")
	m := anvilManager(t, a.client, j)
	type result struct {
		hash string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		r, err := m.Send(ctxTimeout(t, 30*time.Second), transfer(9))
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{hash: r.TxHash.Hex()}
	}()
	// No blocks are mined, so the manager must replace its transaction with higher
	// fees. An attempt is journaled before it is broadcast, so once three are
	// journaled the second has surely reached anvil; then mine one block.
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec, err := j.Tx(from, 0)
		if err == nil && len(rec.Attempts) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no fee bump journaled: %+v %v", rec, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.mine(t)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	rec, err := j.Tx(from, 0)
	if err != nil || rec.State != store.TxConfirmed {
		t.Fatalf("journal: %+v %v", rec.State, err)
	}
	if rec.Mined.Hex() != res.hash {
		t.Fatal("journal and receipt disagree")
	}
	// The pool kept only the replacement: the mined one is one of the later attempts.
	if rec.Mined == rec.Attempts[0].Hash {
		t.Fatal("the original, lower-fee attempt was mined despite replacements")
	}
	if got := balanceAt(t, a.client); got != 9 {
		t.Fatalf("recipient has %d wei, want 9 (once)", got)
	}
	if n, _ := a.client.NonceAt(context.Background(), from, nil); n != 1 {
		t.Fatalf("account nonce %d, want 1", n)
	}
}

// TestAnvilRestartOfChainAndNode: a transaction is in the pool when both the oracle
// (context cancelled: as if killed) and anvil stop; anvil comes back from its state
// file without the pool; a new manager over the reopened journal re-broadcasts the
// journaled transaction under its nonce before sending new work.
func TestAnvilRestartOfChainAndNode(t *testing.T) {
	dir := t.TempDir()
	stateFile := filepath.Join(dir, "anvil-state.json")
	jpath := filepath.Join(dir, "node.db")
	_, from := anvilKey(t)

	a := startAnvil(t, "--state", stateFile)
	j := openJournal(t, jpath)
	m1 := anvilManager(t, a.client, j)
	if _, err := m1.Send(ctxTimeout(t, 20*time.Second), transfer(1)); err != nil {
		t.Fatal(err)
	}
	if err := a.rpc.Call(nil, "evm_setAutomine", false); err != nil {
		t.Fatal(err)
	}
	_, err := m1.Send(ctxTimeout(t, 300*time.Millisecond), transfer(2))
	if !errors.Is(err, ErrInFlight) {
		t.Fatalf("got %v, want ErrInFlight", err)
	}
	a.kill(syscall.SIGTERM) // dumps the state (nonce 1 mined) to the file
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	b := startAnvil(t, "--state", stateFile)
	if n, err := b.client.NonceAt(context.Background(), from, nil); err != nil || n != 1 {
		t.Fatalf("restored nonce %d (%v), want 1", n, err)
	}
	j = openJournal(t, jpath)
	m2 := anvilManager(t, b.client, j)
	r, err := m2.Send(ctxTimeout(t, 20*time.Second), transfer(4))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := j.Tx(from, 1)
	if err != nil || rec.State != store.TxConfirmed {
		t.Fatalf("journaled nonce 1: %+v %v", rec.State, err)
	}
	if rec3, _ := j.Tx(from, 2); rec3.Mined != r.TxHash {
		t.Fatal("new work not sent as nonce 2")
	}
	if n, _ := b.client.NonceAt(context.Background(), from, nil); n != 3 {
		t.Fatalf("account nonce %d, want 3", n)
	}
	if got := balanceAt(t, b.client); got != 1+2+4 {
		t.Fatalf("recipient has %d wei, want 7: each transfer exactly once", got)
	}
}

// TestAnvilFreshChainResyncsNonce: anvil is killed and a fresh chain starts at nonce
// 0 while the manager's cached nonce is 2; the manager notices before broadcasting,
// drops the unminable attempt and resynchronises from the chain.
func TestAnvilFreshChainResyncsNonce(t *testing.T) {
	_, from := anvilKey(t)
	a := startAnvil(t)
	f := newFaultClient(a.client)
	j := openJournal(t, "")
	m := anvilManager(t, f, j)
	for i := range 2 {
		if _, err := m.Send(ctxTimeout(t, 20*time.Second), transfer(int64(10+i))); err != nil {
			t.Fatal(err)
		}
	}
	a.kill(syscall.SIGKILL)
	f.setDown()
	b := startAnvil(t)
	f.swap(b.client)

	r, err := m.Send(ctxTimeout(t, 20*time.Second), transfer(20))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := b.client.NonceAt(context.Background(), from, nil); n != 1 {
		t.Fatalf("fresh chain nonce %d, want 1", n)
	}
	if got := balanceAt(t, b.client); got != 20 {
		t.Fatalf("recipient has %d wei on the fresh chain, want 20", got)
	}
	if rec, err := j.Tx(from, 2); err != nil || rec.State != store.TxDropped {
		t.Fatalf("stale nonce 2: %+v %v", rec.State, err)
	}
	if rec, err := j.Tx(from, 0); err != nil || rec.Mined != r.TxHash || rec.State != store.TxConfirmed {
		t.Fatalf("nonce 0 on the fresh chain: %+v %v", rec.State, err)
	}
}
