package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
)

// fakeEndpoint answers eth_call with the call's input reversed, records each
// request's size (a batch of n, or 0 for a single call), and can hold requests
// until released or refuse batches.
type fakeEndpoint struct {
	mu         sync.Mutex
	requests   []int
	hold       chan struct{} // when set, every request waits until it is closed
	noBatch    bool          // batches are refused as a whole
	batchLimit int           // batches of more calls are refused as a whole
	failOn     string        // a call with this input fails alone
	failAll    bool          // every call fails (an endpoint down)
}

func (f *fakeEndpoint) answer(e *gethrpc.BatchElem) {
	in := []byte(e.Args[0].(map[string]any)["input"].(hexutil.Bytes))
	if string(in) == f.failOn || f.failAll {
		e.Error = errors.New("execution reverted")
		return
	}
	out := make(hexutil.Bytes, len(in))
	for i, b := range in {
		out[len(in)-1-i] = b
	}
	*(e.Result.(*hexutil.Bytes)) = out
}

func (f *fakeEndpoint) wait() {
	f.mu.Lock()
	h := f.hold
	f.mu.Unlock()
	if h != nil {
		<-h
	}
}

func (f *fakeEndpoint) batch(_ context.Context, es []gethrpc.BatchElem) error {
	f.mu.Lock()
	f.requests = append(f.requests, len(es))
	f.mu.Unlock()
	f.wait()
	if f.noBatch || (f.batchLimit > 0 && len(es) > f.batchLimit) {
		return errors.New("400 Bad Request: batch requests are not supported")
	}
	for i := range es {
		f.answer(&es[i])
	}
	return nil
}

func (f *fakeEndpoint) one(_ context.Context, result any, method string, args ...any) error {
	f.mu.Lock()
	f.requests = append(f.requests, 0)
	f.mu.Unlock()
	f.wait()
	e := gethrpc.BatchElem{Method: method, Args: args, Result: result}
	f.answer(&e)
	return e.Error
}

func (f *fakeEndpoint) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.requests...)
}

func (f *fakeEndpoint) batcher(max int) *callBatcher {
	return newCallBatcher(f.batch, f.one, max)
}

// callMany makes n concurrent calls with inputs "call i" and checks each answer is
// its own input reversed, except the one named failing, which must fail (every
// one, when failing is "*").
func callMany(t *testing.T, b *callBatcher, n int, failing string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := fmt.Sprintf("call %d", i)
			out, err := b.call(context.Background(), map[string]any{"to": common.Address{1}, "input": hexutil.Bytes(in)})
			switch {
			case failing == "*" && err == nil:
				errs <- fmt.Errorf("%s: answered %q, want an error", in, out)
			case failing == "*":
			case in == failing && err == nil:
				errs <- fmt.Errorf("%s: answered %q, want its error", in, out)
			case in == failing:
			case err != nil:
				errs <- fmt.Errorf("%s: %v", in, err)
			case len(out) != len(in) || out[0] != in[len(in)-1]:
				errs <- fmt.Errorf("%s: answered %q, not its own answer", in, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestCallBatcherGathersCallsMadeDuringARound: a call made while none is in flight
// goes alone at once; the calls made while it is in flight go together in the next
// request, split at the batch bound, and each caller gets its own answer.
func TestCallBatcherGathersCallsMadeDuringARound(t *testing.T) {
	f := &fakeEndpoint{hold: make(chan struct{})}
	behindFirst(t, f, f.batcher(4), 10)
	got := f.sizes()
	sum := 0
	for _, n := range got[1:] {
		if n > 4 {
			t.Errorf("a batch of %d calls, bound 4", n)
		}
		sum += n
	}
	if got[0] != 0 || len(got) != 4 || sum != 10 {
		t.Fatalf("requests %v: want the first call alone, then the ten in three batches of at most 4", got)
	}
}

// behindFirst makes one call, held by f, then n calls (callMany) while it is in
// flight, and releases f once all n wait for the next round.
func behindFirst(t *testing.T, f *fakeEndpoint, b *callBatcher, n int, failing ...string) {
	t.Helper()
	first := make(chan error, 1)
	sent := len(f.sizes())
	go func() {
		_, err := b.call(context.Background(), map[string]any{"input": hexutil.Bytes("first")})
		first <- err
	}()
	for len(f.sizes()) == sent {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		callMany(t, b, n, strings.Join(failing, ""))
		close(done)
	}()
	for {
		b.rounds.mu.Lock()
		waiting := len(b.rounds.waiting)
		b.rounds.mu.Unlock()
		if waiting == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(f.hold)
	<-done
	if err := <-first; (err != nil) != (strings.Join(failing, "") == "*") {
		t.Fatalf("the first call: %v", err)
	}
}

// TestCallBatcherRefusedBatchGoesCallByCall: an endpoint that refuses batches
// gets the calls one by one, and every caller still gets its answer; the batches
// that follow are half the refused one's size until the endpoint takes them, and
// after batchPause full-sized again.
func TestCallBatcherRefusedBatchGoesCallByCall(t *testing.T) {
	f := &fakeEndpoint{batchLimit: 10, hold: make(chan struct{})}
	b := f.batcher(100)
	now := time.Unix(1000, 0)
	b.now = func() time.Time { return now }
	round := func(n int, want string) {
		t.Helper()
		sent := len(f.sizes())
		f.hold = make(chan struct{})
		behindFirst(t, f, b, n)
		got := f.sizes()[sent:]
		batches := slices.DeleteFunc(slices.Clone(got), func(n int) bool { return n == 0 })
		slices.Sort(batches)
		if fmt.Sprintf("%d alone, batches %v", len(got)-len(batches), batches) != want {
			t.Fatalf("requests %v: want %s", got, want)
		}
	}
	round(50, "51 alone, batches [50]")   // refused: bound 50
	round(20, "21 alone, batches [20]")   // refused: bound 25
	round(20, "21 alone, batches [20]")   // refused: bound 12
	round(20, "13 alone, batches [8 12]") // the 12 refused: bound 6
	round(20, "1 alone, batches [2 6 6 6]")
	now = now.Add(batchPause)
	f.batchLimit = 0
	round(40, "1 alone, batches [40]")
	f.noBatch = true
	for _, want := range []string{"[30]", "[30]", "[5 25]", "[6 12 12]", "[6 6 6 6 6]", "[3 3 3 3 3 3 3 3 3 3]", "[]"} {
		round(30, "31 alone, batches "+want)
	}
}

// TestCallBatcherFailedBatchAndCallsKeepBatches: a batch whose calls fail alone
// too (the endpoint unreachable) does not pause batches.
func TestCallBatcherFailedBatchAndCallsKeepBatches(t *testing.T) {
	f := &fakeEndpoint{noBatch: true, failAll: true, hold: make(chan struct{})}
	b := f.batcher(100)
	behindFirst(t, f, b, 10, "*")
	if n := b.bound(); n != 100 {
		t.Fatalf("batch bound %d after an outage that failed the single calls too, want 100", n)
	}
}

// TestCallBatcherOneCallsErrorIsItsOwn: a call that fails inside a batch fails
// alone; the others of its batch are answered.
func TestCallBatcherOneCallsErrorIsItsOwn(t *testing.T) {
	f := &fakeEndpoint{failOn: "call 7"}
	callMany(t, f.batcher(100), 40, "call 7")
}

// TestCallBatcherCallerGivesUp: a caller whose context ends stops waiting; the
// request goes on and the next callers are answered.
func TestCallBatcherCallerGivesUp(t *testing.T) {
	f := &fakeEndpoint{hold: make(chan struct{})}
	b := f.batcher(100)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.call(ctx, map[string]any{"input": hexutil.Bytes("x")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call with an ended context: %v, want its deadline", err)
	}
	close(f.hold)
	callMany(t, b, 5, "")
}

// TestWithCallBatchesPlainCallsOnly: only calls at the latest block without value,
// gas or fee fields are batched; a go-ethereum client gets batches, other
// endpoints and a bound of 1 do not.
func TestWithCallBatchesPlainCallsOnly(t *testing.T) {
	to := common.Address{1}
	if !plainCall(ethereum.CallMsg{To: &to, From: common.Address{2}, Data: []byte{1}}) {
		t.Error("a read is not batched")
	}
	for name, m := range map[string]ethereum.CallMsg{
		"no to":  {Data: []byte{1}},
		"value":  {To: &to, Value: big.NewInt(1)},
		"gas":    {To: &to, Gas: 21000},
		"fee":    {To: &to, GasFeeCap: big.NewInt(1)},
		"access": {To: &to, AccessList: types.AccessList{}},
	} {
		if plainCall(m) {
			t.Errorf("%s: batched", name)
		}
	}
	var r RPC = &ethclient.Client{}
	if _, ok := withCallBatches(r, 100, nil).(batchedRPC); ok {
		t.Error("a client without a connection is batched")
	}
	c := ethclient.NewClient(gethrpc.DialInProc(gethrpc.NewServer()))
	defer c.Close()
	if _, ok := withCallBatches(c, 1, nil).(batchedRPC); ok {
		t.Error("a bound of 1 batches")
	}
	b, ok := withCallBatches(c, 100, nil).(batchedRPC)
	if !ok {
		t.Fatal("a go-ethereum client is not batched")
	}
	// The node reaches the connection through it (eth_createAccessList, ampleGasRun).
	if cl, ok := RPC(b).(interface{ Client() *gethrpc.Client }); !ok || cl.Client() != c.Client() {
		t.Error("the batched endpoint does not give the client's connection")
	}
}

// TestAcceptedOfSortsEventsToKeys: one log read of several machines answers each
// key with its own machine's digests from its block on; removed events and other
// machines' are not among them, and a key without events gets an empty answer.
func TestAcceptedOfSortsEventsToKeys(t *testing.T) {
	m1, m2, m3 := common.Hash{1}, common.Hash{2}, common.Hash{3}
	ev := func(m common.Hash, d byte, block uint64, removed bool) chain.VerdictAccepted {
		return chain.VerdictAccepted{EventMeta: chain.EventMeta{BlockNumber: block, Removed: removed}, MachineID: m, Digest: common.Hash{d}}
	}
	evs := []chain.VerdictAccepted{ev(m1, 0xa1, 10, false), ev(m1, 0xa2, 20, false), ev(m2, 0xb1, 15, false), ev(m2, 0xb2, 16, true)}
	keys := []acceptedKey{{m1, 10}, {m1, 11}, {m2, 10}, {m3, 1}}
	got := acceptedOf(keys, evs)
	want := map[acceptedKey]map[common.Hash]uint64{
		{m1, 10}: {{0xa1}: 10, {0xa2}: 20},
		{m1, 11}: {{0xa2}: 20},
		{m2, 10}: {{0xb1}: 15},
		{m3, 1}:  {},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("acceptedOf = %v\nwant %v", got, want)
	}
}

// TestBatchedCallsAnswerAsSingleCalls: on a real chain (anvil), calls sent in
// batches answer as the same calls sent alone: results, and a revert's error with
// its data (what the registry client decodes into its custom errors).
func TestBatchedCallsAnswerAsSingleCalls(t *testing.T) {
	a := testchain.StartAnvil(t)
	reverter, echo := common.Address{0xee, 1}, common.Address{0xee, 2}
	// reverter reverts with the four bytes 0xdeadbeef; echo returns its calldata.
	if err := a.Client.Client().Call(nil, "anvil_setCode", reverter, "0x63deadbeef6000526004601cfd"); err != nil {
		t.Fatal(err)
	}
	if err := a.Client.Client().Call(nil, "anvil_setCode", echo, "0x366000600037366000f3"); err != nil {
		t.Fatal(err)
	}
	// The batched client reaches anvil through a proxy that counts the calls of
	// each request and holds the first one a moment, so that the calls made
	// meanwhile go out together: the test sees the batches form, not only their
	// answers.
	var (
		mu    sync.Mutex
		sizes []int
	)
	target, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		var batch []json.RawMessage
		n := 1
		if json.Unmarshal(body, &batch) == nil {
			n = len(batch)
		}
		mu.Lock()
		sizes = append(sizes, n)
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			time.Sleep(300 * time.Millisecond)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	viaProxy, err := ethclient.Dial(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(viaProxy.Close)
	batched := withCallBatches(viaProxy, 100, nil)
	if _, ok := batched.(batchedRPC); !ok {
		t.Fatal("the client is not batched")
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to, data := echo, []byte(fmt.Sprintf("call %d", i))
			if i%4 == 0 {
				to = reverter
			}
			msg := ethereum.CallMsg{To: &to, Data: data}
			want, wantErr := a.Client.CallContract(ctx, msg, nil)
			got, err := batched.CallContract(ctx, msg, nil)
			if fmt.Sprint(got, err) != fmt.Sprint(want, wantErr) {
				t.Errorf("call %d: batched %x, %v; alone %x, %v", i, got, err, want, wantErr)
			}
			var de gethrpc.DataError
			if to == reverter && (!errors.As(err, &de) || de.ErrorData() != "0xdeadbeef") {
				t.Errorf("call %d: revert %v without its data", i, err)
			}
		}()
	}
	wg.Wait()
	// Every call went through the proxy once, the first alone and the others in
	// batches of more than one.
	calls, biggest := 0, 0
	for _, n := range sizes {
		calls += n
		biggest = max(biggest, n)
	}
	if calls != 40 || sizes[0] != 1 || biggest < 2 {
		t.Errorf("calls per request through the proxy %v: want 40 calls, the first alone, and a batch", sizes)
	}
	t.Logf("calls per request: %v", sizes)
}
