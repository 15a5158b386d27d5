package service

import (
	"context"
	"log/slog"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// DefaultCallBatch is how many contract calls the node sends in one JSON-RPC batch
// request at most (Config.CallBatch). go-ethereum's server takes batches of up to
// 1,000 requests; hosted endpoints commonly take 100 or more.
const DefaultCallBatch = 100

// batchedRPC is the node's endpoint with its contract calls at the latest block
// gathered into JSON-RPC batches (callBatcher): under load every submission reads
// its own machine's record, key authorisation and key binding, and a thousand
// submissions a second made three thousand HTTP requests a second, each costing
// the endpoint (and the node) more than the call it carries, and each counted
// against a hosted endpoint's rate limit (docs/operator.md, Chain reads).
// Everything else goes to the endpoint as it is.
type batchedRPC struct {
	RPC
	client *gethrpc.Client
	calls  *callBatcher
}

// Client is the endpoint's go-ethereum connection, for the calls the node makes
// outside ethclient (eth_createAccessList).
func (b batchedRPC) Client() *gethrpc.Client { return b.client }

// withCallBatches returns rpc with its calls batched, when rpc is a go-ethereum
// client (whose connection sends batches) and max is above 1; otherwise rpc. log
// is told when the endpoint refuses batches.
func withCallBatches(rpc RPC, max int, log *slog.Logger) RPC {
	c, ok := rpc.(interface{ Client() *gethrpc.Client })
	if !ok || max <= 1 || c.Client() == nil {
		return rpc
	}
	rc := c.Client()
	b := newCallBatcher(rc.BatchCallContext, rc.CallContext, max)
	b.log = log
	return batchedRPC{RPC: rpc, client: rc, calls: b}
}

// CallContract sends a plain call at the latest block (no value, gas or fee
// fields: the registry's reads and the publisher's simulations) in the next batch,
// and any other to the endpoint as it is.
func (b batchedRPC) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if block != nil || !plainCall(msg) {
		return b.RPC.CallContract(ctx, msg, block)
	}
	return b.calls.call(ctx, callArg(msg))
}

func plainCall(m ethereum.CallMsg) bool {
	return m.To != nil && m.Gas == 0 && m.GasPrice == nil && m.GasFeeCap == nil && m.GasTipCap == nil &&
		m.Value == nil && m.AccessList == nil && m.BlobGasFeeCap == nil && m.BlobHashes == nil &&
		m.AuthorizationList == nil
}

// callArg is the eth_call argument ethclient.Client.CallContract sends for a
// plain call.
func callArg(m ethereum.CallMsg) map[string]any {
	arg := map[string]any{"from": m.From, "to": m.To}
	if len(m.Data) > 0 {
		arg["input"] = hexutil.Bytes(m.Data)
	}
	return arg
}

// callBatcher sends the calls made while a batch is in flight together in the next
// one (gathered, as headReads does for head reads): a caller joins the next batch
// to start, never one under way, so its answer is at least as new as a request of
// its own would have had. At most one round of batches is in flight; a round sends
// what gathered in batches of at most max calls, concurrently. A batch the
// endpoint refuses as a whole (an endpoint without batches, or one with a lower
// limit) is sent again as single calls, so batching never makes a read fail that
// would not fail alone; an error of one call is that call's alone. When the single
// calls of a refused batch are answered, the endpoint refused the batch, not its
// calls: for batchPause the batches carry at most half the bound of the round that
// was refused (down to single calls, for an endpoint without batches).
type callBatcher struct {
	batch func(context.Context, []gethrpc.BatchElem) error
	one   func(ctx context.Context, result any, method string, args ...any) error
	max   int
	log   *slog.Logger // nil: no log
	now   func() time.Time

	rounds gathered[*batchedCall, callResult]

	mu       sync.Mutex
	limit    int // the batch bound until limitEnd, below max after a refusal
	limitEnd time.Time
	refusals int // the batches found refused
}

// batchPause is how long the batches stay smaller after a refused one.
const batchPause = 10 * time.Minute

// aloneParallel bounds the single calls one batch's calls go out as at once.
const aloneParallel = 16

func newCallBatcher(batch func(context.Context, []gethrpc.BatchElem) error,
	one func(ctx context.Context, result any, method string, args ...any) error, max int) *callBatcher {
	b := &callBatcher{batch: batch, one: one, max: max, now: time.Now}
	b.rounds.read = b.send
	return b
}

// batchedCall is one call waiting for its round; callResult its answer.
type batchedCall struct{ arg map[string]any }

type callResult struct {
	out hexutil.Bytes
	err error
}

func (b *callBatcher) call(ctx context.Context, arg map[string]any) ([]byte, error) {
	r, err := b.rounds.get(ctx, &batchedCall{arg: arg})
	if err != nil {
		return nil, err
	}
	return r.out, r.err
}

// send sends one round's calls in batches of at most max, concurrently, and
// answers every call.
func (b *callBatcher) send(ctx context.Context, calls []*batchedCall) (map[*batchedCall]callResult, error) {
	out := make(map[*batchedCall]callResult, len(calls))
	var mu sync.Mutex
	var wg sync.WaitGroup
	bound := b.bound()
	for chunk := range slices.Chunk(calls, bound) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs := b.sendBatch(ctx, chunk, bound)
			mu.Lock()
			defer mu.Unlock()
			for i, c := range chunk {
				out[c] = rs[i]
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// sendBatch sends calls, a batch of a round whose batches carried at most bound.
func (b *callBatcher) sendBatch(ctx context.Context, calls []*batchedCall, bound int) []callResult {
	rs := make([]callResult, len(calls))
	elems := make([]gethrpc.BatchElem, len(calls))
	for i, c := range calls {
		elems[i] = gethrpc.BatchElem{Method: "eth_call", Args: []any{c.arg, "latest"}, Result: &rs[i].out}
	}
	switch {
	case len(calls) == 1:
		b.sendAlone(ctx, elems)
	default:
		err := b.batch(ctx, elems)
		if err == nil {
			break
		}
		// A refused batch goes again call by call; answered so, the endpoint
		// refused the batch, not the calls.
		if b.sendAlone(ctx, elems) {
			b.refused(bound, err)
		}
	}
	for i := range rs {
		rs[i].err = elems[i].Error
	}
	return rs
}

// sendAlone sends each of elems as a request of its own, up to aloneParallel at
// once, and reports whether any was answered without an error.
func (b *callBatcher) sendAlone(ctx context.Context, elems []gethrpc.BatchElem) bool {
	sem := make(chan struct{}, aloneParallel)
	var wg sync.WaitGroup
	for i := range elems {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			e := &elems[i]
			e.Error = b.one(ctx, e.Result, e.Method, e.Args...)
		}()
	}
	wg.Wait()
	return slices.ContainsFunc(elems, func(e gethrpc.BatchElem) bool { return e.Error == nil })
}

// bound is the most calls a batch carries now.
func (b *callBatcher) bound() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit > 0 && b.now().Before(b.limitEnd) {
		return b.limit
	}
	return b.max
}

// refused notes that the endpoint refused a batch of a round whose batches carried
// at most bound calls, and answered its calls alone: for batchPause batches carry
// at most half as many, and the first time is logged.
func (b *callBatcher) refused(bound int, err error) {
	b.mu.Lock()
	limit := max(1, bound/2)
	if b.limit > 0 && b.now().Before(b.limitEnd) {
		limit = min(limit, b.limit) // another batch of the round was refused too
	}
	b.limit, b.limitEnd = limit, b.now().Add(batchPause)
	b.refusals++
	first := b.refusals == 1
	b.mu.Unlock()
	if first && b.log != nil {
		b.log.Warn("the RPC endpoint refused a JSON-RPC batch and answered its calls alone; batches are made smaller for a while (--rpc-call-batch sets their bound, 1 sends every call alone)",
			"bound", limit, "for", batchPause, "err", err)
	}
}
