package service

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// headRPC answers the head block's header only (its time is the chain time); the
// re-appraisal pass reads nothing else from the chain.
type headRPC struct {
	RPC
	time uint64
}

func (r headRPC) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return &types.Header{Number: big.NewInt(1), Time: r.time}, nil
}

// TestReappraiseMemoOnlyWhatWasDone: a pass that finds no verdict of this node
// behind a machine's on-chain verdict has done nothing for the epoch, so when the
// node records that verdict later in the epoch (a forwarded submission appraised
// after the quorum formed without it), the next pass re-appraises it.
func TestReappraiseMemoOnlyWhatWasDone(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{CommitDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var logs bytes.Buffer
	const epoch = 24 * time.Hour
	now := uint64(1_700_000_000)
	id, key := common.Hash{0x11}, common.Address{0x7e}
	rec := MachineRecord{State: machineRegistered, Status: uint8(verdict.StatusTrusted), TEEKey: key,
		IssuedAt: now - 2*uint64(epoch/time.Second), ExpiresAt: now + 1000}
	s := &Service{cfg: Config{ReappraiseEpoch: epoch, ReappraiseMax: 2000, Now: time.Now}, rpc: headRPC{time: now}, st: st,
		machines: map[common.Hash]MachineRecord{id: rec}, log: slog.New(slog.NewTextHandler(&logs, nil)), m: newMetrics(prometheus.NewRegistry())}
	if err := s.reappraise(context.Background()); err != nil {
		t.Fatal(err)
	}
	if logs.Len() != 0 {
		t.Fatalf("set-up: a machine this node holds no verdict of was re-appraised: %s", logs.String())
	}
	// The node records the on-chain verdict now (without its audit record, so the
	// re-appraisal it starts fails and says so).
	body, _ := json.Marshal(verdict.Verdict{MachineID: id, TEEKey: key, Status: verdict.StatusTrusted, IssuedAt: rec.IssuedAt})
	if _, err := st.PutSubmission(store.NewSubmission{ID: "late", MachineID: id}, []byte("evidence")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDecision("late", store.Decision{Verdict: store.Verdict{Hash: common.Hash{0xaa}, MachineID: id,
		IssuedAt: rec.IssuedAt, Body: body}, FailReason: "test: not published by this node"}); err != nil {
		t.Fatal(err)
	}
	if err := s.reappraise(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "re-appraisal failed") {
		t.Fatalf("the verdict recorded mid-epoch was not re-appraised (the pass before remembered the machine as done): %q", logs.String())
	}
}

// fleetID is the id of machine i of a test fleet.
func fleetID(i int) common.Hash { return crypto.Keccak256Hash([]byte(fmt.Sprintf("machine %d", i))) }

// TestReappraiseAsOfSpreadAndAgreed: a machine's re-appraisal time is the latest
// k × epoch + offset at or before now, its offset is its id's integer value modulo
// the epoch (computed here with math/big), the offsets of a fleet spread over the
// whole epoch, and nodes passing at different chain times within the same window
// re-appraise a machine as of the same time.
func TestReappraiseAsOfSpreadAndAgreed(t *testing.T) {
	const epoch, n = 600, 200
	now := int64(1_700_000_123)
	var buckets [10]int
	for i := range n {
		id := fleetID(i)
		off := reappraisalOffset(id, epoch)
		want := new(big.Int).Mod(new(big.Int).SetBytes(id[:]), big.NewInt(epoch)).Int64()
		if off != want {
			t.Fatalf("%s: offset %d, want %d (id mod %d)", id, off, want, epoch)
		}
		buckets[off*10/epoch]++
		at := reappraisalAsOf(id, now, epoch)
		if at > now || now-at >= epoch || (at-off)%epoch != 0 {
			t.Fatalf("%s at %d: as of %d, want the latest k*%d+%d not after it", id, now, at, epoch, off)
		}
		// A node passing later in the same window, or exactly at the machine's time,
		// agrees; one passing after the next time moves on by one epoch.
		if got := reappraisalAsOf(id, at+epoch-1, epoch); got != at {
			t.Fatalf("%s: as of %d at %d, %d at %d: nodes in one window disagree", id, at, now, got, at+epoch-1)
		}
		if got := reappraisalAsOf(id, at, epoch); got != at {
			t.Fatalf("%s: as of %d at its own time, want %d", id, got, at)
		}
		if got := reappraisalAsOf(id, at+epoch, epoch); got != at+epoch {
			t.Fatalf("%s: as of %d one epoch later, want %d", id, got, at+epoch)
		}
	}
	for b, c := range buckets {
		if c == 0 || c > n/4 {
			t.Fatalf("offsets per tenth of the epoch %v: tenth %d holds %d of %d machines, want them spread", buckets, b, c, n)
		}
	}
	if got := reappraisalAsOf(fleetID(0), 0, epoch); got > 0 {
		t.Fatalf("as of %d at chain time 0, want none after it", got)
	}
}

// reappraiseTest is a node with a real store tracking n trusted machines whose
// verdicts were issued long before now; one records each re-appraisal made.
type reappraiseTest struct {
	s     *Service
	st    *store.Store
	calls map[common.Hash][]int64 // machine -> the times it was re-appraised as of
	pass  int                     // re-appraisals in the current pass
	order []int64                 // the times of all re-appraisals, in the order made
	// inOne, when set, runs inside each re-appraisal (a crash, for instance).
	inOne func()
}

func newReappraiseTest(t *testing.T, n int, epoch time.Duration, max int, now uint64) *reappraiseTest {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{CommitDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	machines := make(map[common.Hash]MachineRecord, n)
	for i := range n {
		machines[fleetID(i)] = MachineRecord{State: machineRegistered, Status: uint8(verdict.StatusTrusted),
			TEEKey: common.Address{byte(i)}, IssuedAt: now - 3*uint64(epoch/time.Second), ExpiresAt: now + 1e6}
	}
	s := &Service{cfg: Config{ReappraiseEpoch: epoch, ReappraiseMax: max, Now: time.Now}, rpc: headRPC{time: now},
		st: st, machines: machines, log: slog.New(slog.NewTextHandler(io.Discard, nil)), m: newMetrics(prometheus.NewRegistry())}
	return &reappraiseTest{s: s, st: st, calls: map[common.Hash][]int64{}}
}

// one marks machine id re-appraised as of at under the key reappraiseMachine
// uses (the machine's id standing for its verdict's hash).
func (r *reappraiseTest) one(_ context.Context, id common.Hash, _ MachineRecord, at int64) (reappraisal, error) {
	if r.inOne != nil {
		r.inOne()
	}
	r.calls[id] = append(r.calls[id], at)
	r.order = append(r.order, at)
	r.pass++
	return reappraisal{done: true, mark: reappraisedKey(id)}, nil
}

// passAt runs a re-appraisal pass at chain time now and returns the re-appraisals
// and store commits it made.
func (r *reappraiseTest) passAt(t *testing.T, now uint64) (made int, commits uint64) {
	t.Helper()
	r.s.rpc, r.pass = headRPC{time: now}, 0
	before := r.st.Commits()
	if err := r.s.reappraiseWith(context.Background(), r.one); err != nil {
		t.Fatalf("pass at %d: %v", now, err)
	}
	return r.pass, r.st.Commits() - before
}

// TestReappraiseSpreadOncePerEpoch: a 600-machine fleet's re-appraisals spread
// over the passes of an epoch (a pass every minute of a 10-minute epoch), each
// machine re-appraised once per epoch as of its own time, with the marks of a
// pass committed reappraiseChunk at a time, not once per machine.
func TestReappraiseSpreadOncePerEpoch(t *testing.T) {
	const n, epoch = 600, 600
	t0 := uint64(1_700_000_400) // a multiple of the epoch
	r := newReappraiseTest(t, n, epoch*time.Second, 2000, t0)
	// The first pass finds every machine due (nothing done yet).
	made, commits := r.passAt(t, t0)
	if made != n || commits != (n+reappraiseChunk-1)/reappraiseChunk {
		t.Fatalf("first pass: %d re-appraisals in %d commits, want %d in %d", made, commits, n, (n+reappraiseChunk-1)/reappraiseChunk)
	}
	if again, commits := r.passAt(t, t0); again != 0 || commits != 0 {
		t.Fatalf("second pass at the same time: %d re-appraisals, %d commits, want none", again, commits)
	}
	busy, most := 0, 0
	for now := t0 + 60; now <= t0+epoch; now += 60 {
		made, commits := r.passAt(t, now)
		if want := uint64((made + reappraiseChunk - 1) / reappraiseChunk); commits != want {
			t.Fatalf("pass at +%d s: %d re-appraisals in %d commits, want %d", now-t0, made, commits, want)
		}
		if made > 0 {
			busy++
		}
		most = max(most, made)
	}
	if busy < 8 || most > n/4 {
		t.Fatalf("over one epoch: %d of 10 passes re-appraised, the busiest %d of %d machines: want them spread", busy, most, n)
	}
	for i := range n {
		id := fleetID(i)
		got := r.calls[id]
		want := reappraisalAsOf(id, int64(t0+epoch), epoch)
		if len(got) != 2 || got[1] != want || got[1]-got[0] != epoch {
			t.Fatalf("%s re-appraised as of %v, want once in the first pass and once as of %d", id, got, want)
		}
		b, err := r.st.Meta(reappraisedKey(id))
		if err != nil || len(b) != 8 || int64(binary.BigEndian.Uint64(b)) != want {
			t.Fatalf("%s: mark %x (%v), want %d", id, b, err, want)
		}
	}
}

// TestReappraiseEpochBoundedPass: a pass makes at most ReappraiseMax
// re-appraisals, those whose time came first first, and the next passes take the
// rest, none twice.
func TestReappraiseEpochBoundedPass(t *testing.T) {
	const n, max, epoch = 600, 100, 600
	now := uint64(1_700_000_599)
	r := newReappraiseTest(t, n, epoch*time.Second, max, now)
	for pass := range n / max {
		made, commits := r.passAt(t, now)
		if made != max || commits != 1 {
			t.Fatalf("pass %d: %d re-appraisals in %d commits, want %d in 1", pass, made, commits, max)
		}
		// The metrics say how far behind the node is: the machines left to the
		// next pass, and the re-appraisals made so far.
		if got, want := metricValue(t, r.s.m.deferred), float64(n-(pass+1)*max); got != want {
			t.Fatalf("pass %d: reappraisals_deferred %v, want %v", pass, got, want)
		}
		if got, want := metricValue(t, r.s.m.reappraisals.WithLabelValues("made")), float64((pass+1)*max); got != want {
			t.Fatalf("pass %d: reappraisals_total{made} %v, want %v", pass, got, want)
		}
	}
	for i := 1; i < len(r.order); i++ {
		if r.order[i] < r.order[i-1] {
			t.Fatalf("re-appraisal %d as of %d after one as of %d: want the earliest times first", i, r.order[i], r.order[i-1])
		}
	}
	if made, _ := r.passAt(t, now); made != 0 {
		t.Fatalf("pass after the fleet was done: %d re-appraisals, want none", made)
	}
	for i := range n {
		if got := r.calls[fleetID(i)]; len(got) != 1 {
			t.Fatalf("%s re-appraised %d times in one epoch, want once", fleetID(i), len(got))
		}
	}
}

// TestReappraiseEpochCrashRedoes: a node that stops mid-pass (its store closed
// after 300 of 600 re-appraisals) has committed the marks of the chunks before,
// and none of a machine it did not re-appraise; the node restarted on the file
// re-appraises every machine without a mark.
func TestReappraiseEpochCrashRedoes(t *testing.T) {
	const n, epoch = 600, 600
	now := uint64(1_700_000_599)
	r := newReappraiseTest(t, n, epoch*time.Second, 2000, now)
	path := r.st.Path()
	var made []common.Hash
	r.inOne = func() {
		if len(r.order) == 300 {
			_ = r.st.Close()
		}
	}
	one := func(ctx context.Context, id common.Hash, rec MachineRecord, at int64) (reappraisal, error) {
		made = append(made, id)
		return r.one(ctx, id, rec, at)
	}
	r.s.rpc = headRPC{time: now}
	if err := r.s.reappraiseWith(context.Background(), one); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("pass whose store closed: %v, want ErrClosed", err)
	}
	st, err := store.Open(path, store.Options{CommitDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	marked := map[common.Hash]bool{}
	for i, id := range made {
		_, err := st.Meta(reappraisedKey(id))
		switch {
		case i < reappraiseChunk && err != nil:
			t.Fatalf("re-appraisal %d of the first chunk: mark %v after the crash, want it committed", i, err)
		case i >= reappraiseChunk && !errors.Is(err, store.ErrNotFound):
			t.Fatalf("re-appraisal %d after the first chunk: mark %v, want none (its chunk was never committed)", i, err)
		}
		marked[id] = err == nil
	}
	for i := range n {
		if _, err := st.Meta(reappraisedKey(fleetID(i))); err == nil && !marked[fleetID(i)] {
			t.Fatalf("%s marked re-appraised, never re-appraised", fleetID(i))
		}
	}
	// The restarted node: its memo is empty, the marks are what it has.
	r.st, r.s.st, r.s.reappraisedMemo, r.calls = st, st, nil, map[common.Hash][]int64{}
	if made, _ := r.passAt(t, now); made != n {
		t.Fatalf("restarted node: %d re-appraisals, want %d (its memo is empty)", made, n)
	}
	for i := range n {
		if id := fleetID(i); !marked[id] && len(r.calls[id]) != 1 {
			t.Fatalf("%s, not re-appraised before the crash, re-appraised %d times after it, want once", id, len(r.calls[id]))
		}
	}
}

// TestReappraiseFailuresGoLast: ReappraiseMax machines whose re-appraisal keeps
// failing, due earliest, do not hold the rest of the fleet back: the next pass
// tries the machines not yet tried first, and the failed ones after them.
func TestReappraiseFailuresGoLast(t *testing.T) {
	const n, max, epoch = 300, 100, 600
	now := uint64(1_700_000_599)
	r := newReappraiseTest(t, n, epoch*time.Second, max, now)
	due, _ := r.s.reappraisalsDue(now)
	failing := map[common.Hash]bool{}
	for _, d := range due[:max] {
		failing[d.id] = true
	}
	one := func(ctx context.Context, id common.Hash, rec MachineRecord, at int64) (reappraisal, error) {
		if failing[id] {
			r.pass++
			return reappraisal{}, errors.New("archived evidence unreadable")
		}
		return r.one(ctx, id, rec, at)
	}
	for pass := range 3 {
		if err := r.s.reappraiseWith(context.Background(), one); err != nil {
			t.Fatal(err)
		}
		if pass == 0 && len(r.calls) != 0 {
			t.Fatalf("first pass re-appraised %d machines, want only the %d failing ones tried", len(r.calls), max)
		}
	}
	if len(r.calls) != n-max {
		t.Fatalf("after three passes %d of the %d machines that can be re-appraised were, want all", len(r.calls), n-max)
	}
	// Each pass tried the failing machines last but once each: the first pass
	// only them, the next two 100 good ones and no failing one (max reached).
	if got := metricValue(t, r.s.m.reappraisals.WithLabelValues("failed")); got != max {
		t.Fatalf("reappraisals_total{failed} %v, want %d", got, max)
	}
	if got := metricValue(t, r.s.m.reappraisals.WithLabelValues("made")); got != n-max {
		t.Fatalf("reappraisals_total{made} %v, want %d", got, n-max)
	}
}

// metricValue is the value of a counter or gauge.
func metricValue(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("metric %s is neither a counter nor a gauge", c.Desc())
	return 0
}
