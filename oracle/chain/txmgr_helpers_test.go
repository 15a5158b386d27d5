package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"log/slog"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// The store is the journal the node uses; the tests use it too.
var _ Journal = (*store.Store)(nil)

var errInjected = errors.New("injected: connection refused")

// faultClient wraps a real client and injects the failures the manager must
// survive. Its underlying client can be swapped, as when a chain node restarts on a
// new address.
type faultClient struct {
	mu    sync.Mutex
	inner Client
	// fail[method] is how many upcoming calls of method fail before reaching the node.
	fail map[string]int
	// dropSends swallows that many broadcasts: they report success but never reach
	// the node (a lost request).
	dropSends int
	// dropAll swallows every broadcast.
	dropAll bool
	// lostReplies forwards that many broadcasts and then reports an error (a lost
	// response: the node has the transaction, the caller does not know).
	lostReplies int
	down        bool // every call fails
	// staleUntil makes nonce queries answer 0 until then: a lagging RPC node.
	staleUntil time.Time
	// minTip refuses broadcasts tipping less, as a node with a price floor does,
	// with the message go-ethereum's pool sends over JSON-RPC.
	minTip *big.Int
	calls  map[string]int
	sent   []*types.Transaction // every broadcast that reached the node
}

func newFaultClient(inner Client) *faultClient {
	return &faultClient{inner: inner, fail: map[string]int{}, calls: map[string]int{}}
}

func (f *faultClient) swap(c Client) { f.mu.Lock(); f.inner, f.down = c, false; f.mu.Unlock() }
func (f *faultClient) setDown()      { f.mu.Lock(); f.down = true; f.mu.Unlock() }

func (f *faultClient) enter(method string) (Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	if f.down {
		return nil, errInjected
	}
	if f.fail[method] > 0 {
		f.fail[method]--
		return nil, errInjected
	}
	return f.inner, nil
}

func (f *faultClient) ChainID(ctx context.Context) (*big.Int, error) {
	c, err := f.enter("ChainID")
	if err != nil {
		return nil, err
	}
	return c.ChainID(ctx)
}

func (f *faultClient) NonceAt(ctx context.Context, a common.Address, n *big.Int) (uint64, error) {
	c, err := f.enter("NonceAt")
	if err != nil || f.stale() {
		return 0, err
	}
	return c.NonceAt(ctx, a, n)
}

func (f *faultClient) PendingNonceAt(ctx context.Context, a common.Address) (uint64, error) {
	c, err := f.enter("PendingNonceAt")
	if err != nil || f.stale() {
		return 0, err
	}
	return c.PendingNonceAt(ctx, a)
}

func (f *faultClient) SuggestGasTipCap(ctx context.Context) (*big.Int, error) {
	c, err := f.enter("SuggestGasTipCap")
	if err != nil {
		return nil, err
	}
	return c.SuggestGasTipCap(ctx)
}

func (f *faultClient) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	c, err := f.enter("HeaderByNumber")
	if err != nil {
		return nil, err
	}
	return c.HeaderByNumber(ctx, n)
}

func (f *faultClient) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	c, err := f.enter("EstimateGas")
	if err != nil {
		return 0, err
	}
	return c.EstimateGas(ctx, msg)
}

func (f *faultClient) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	c, err := f.enter("SendTransaction")
	if err != nil {
		return err
	}
	f.mu.Lock()
	if f.dropAll || f.dropSends > 0 {
		if f.dropSends > 0 {
			f.dropSends--
		}
		f.mu.Unlock()
		return nil
	}
	if f.minTip != nil && tx.GasTipCap().Cmp(f.minTip) < 0 {
		f.mu.Unlock()
		return errors.New("transaction underpriced: gas tip cap " + tx.GasTipCap().String() + ", minimum needed " + f.minTip.String())
	}
	lost := f.lostReplies > 0
	if lost {
		f.lostReplies--
	}
	f.mu.Unlock()
	if err := c.SendTransaction(ctx, tx); err != nil {
		return err
	}
	f.mu.Lock()
	f.sent = append(f.sent, tx)
	f.mu.Unlock()
	if lost {
		return errInjected
	}
	return nil
}

func (f *faultClient) TransactionReceipt(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	c, err := f.enter("TransactionReceipt")
	if err != nil {
		return nil, err
	}
	return c.TransactionReceipt(ctx, h)
}

func (f *faultClient) BlockNumber(ctx context.Context) (uint64, error) {
	c, err := f.enter("BlockNumber")
	if err != nil {
		return 0, err
	}
	return c.BlockNumber(ctx)
}

func (f *faultClient) stale() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Now().Before(f.staleUntil)
}

func (f *faultClient) sentCount() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

// countingMetrics counts what the manager reports.
type countingMetrics struct {
	publishes, bumps, confirmed, dropped, rpcErrors atomic.Int64
}

func (c *countingMetrics) RecordNonce(uint64)                    {}
func (c *countingMetrics) RecordPublish()                        { c.publishes.Add(1) }
func (c *countingMetrics) RecordFeeBump()                        { c.bumps.Add(1) }
func (c *countingMetrics) RecordConfirmed(time.Duration, uint64) { c.confirmed.Add(1) }
func (c *countingMetrics) RecordDropped()                        { c.dropped.Add(1) }
func (c *countingMetrics) RecordRPCError(string)                 { c.rpcErrors.Add(1) }

func openJournal(t *testing.T, path string) *store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "node.db")
	}
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// anvilKey is anvil's first default account (public test mnemonic); the simulated
// backend funds it too.
func anvilKey(t testing.TB) (*ecdsa.PrivateKey, common.Address) {
	key, err := crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	if err != nil {
		t.Fatal(err)
	}
	return key, crypto.PubkeyToAddress(key.PublicKey)
}

// testLogger sends the manager's log to the test's log, shown when a test fails.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testConfig(t testing.TB, key *ecdsa.PrivateKey, chainID *big.Int, m TxMetrics) TxManagerConfig {
	return TxManagerConfig{
		Logger:               testLogger(t),
		From:                 crypto.PubkeyToAddress(key.PublicKey),
		Signer:               KeySigner(key, chainID),
		MaxFeeCap:            big.NewInt(500e9),
		ResubmissionTimeout:  400 * time.Millisecond,
		ReceiptQueryInterval: 20 * time.Millisecond,
		NetworkTimeout:       2 * time.Second,
		RetryInterval:        10 * time.Millisecond,
		Metrics:              m,
	}
}

var recipient = common.HexToAddress("0x000000000000000000000000000000000000bEEF")

func transfer(wei int64) TxCandidate {
	return TxCandidate{To: &recipient, GasLimit: 21000, Value: big.NewInt(wei)}
}

// Tiny contracts as init code. setter stores the first calldata word in slot 0;
// reverter reverts on every call.
var (
	setterInit   = common.FromHex("6007600c60003960076000f3" + "60003560005500")
	reverterInit = common.FromHex("6005600c60003960056000f3" + "60006000fd")
)
