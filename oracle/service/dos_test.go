package service_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"golang.org/x/time/rate"

	"github.com/teeoracle/teeoracle/internal/retry"
	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// dosEnv is one node on anvil with a registered SEV-SNP machine and an agent whose
// key the machine's provider authorised; the registry's threshold is 2 and only
// one node runs, so nothing is published.
type dosEnv struct {
	e       *chainEnv
	n       *node
	snp     *fakeSNP
	a       *agent
	machine common.Hash
	good    [48]byte
}

func newDosEnv(t testing.TB, apiCfg func(*api.Config)) *dosEnv {
	oracleKey, oracle := testchain.DevKey(1)
	_, other := testchain.DevKey(8)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle, other}, 2, 256)
	good := measurement(0x11)
	pol := testPolicy(t, "dos", 3600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	// maxFailed: these runs send thousands of submissions for one machine (a real
	// one sends about one an hour) to measure the API's bounds, not the bound on a
	// machine's failed submissions.
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, reappEvery: time.Hour, maxFailed: 1 << 20, api: func(c *api.Config) {
		c.RateLimit = 0 // the node's defaults: a flood meets the limits a real node has
		if apiCfg != nil {
			apiCfg(c)
		}
	}})
	return &dosEnv{e: e, n: n, snp: snp, a: e.newAgent(t, snp, machine), machine: machine, good: good}
}

// submission is one piece of evidence bound to a challenge, with its URL.
type submission struct {
	url    string
	bundle []byte
}

// submissions makes n distinct submissions of the agent for the anchor of ch (its
// challenge): the reports differ in their guest policy's ABI version bits, which
// the node does not look at before its acknowledgement.
func (d *dosEnv) submissions(t testing.TB, ch api.Challenge, n int) []submission {
	rd := verdict.Binding{ChainID: d.e.chainID, Registry: d.e.registry, MachineID: d.machine, TEEKey: d.a.teeKey,
		AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash}.ReportData()
	out := make([]submission, n)
	for i := range out {
		bundle := d.snp.bundle(t, reportOpts{reportData: rd, measurement: d.good, policy: 0x30000 | uint64(1+i%0xfffe)})
		out[i] = submission{url: d.url(t, ch.AnchorBlockNumber, bundle), bundle: bundle}
	}
	return out
}

// url is the agent's POST /v1/evidence URL for anchor, with its proof of possession
// for the evidence in bundle.
func (d *dosEnv) url(t testing.TB, anchor uint64, bundle []byte) string {
	return fmt.Sprintf("%s/v1/evidence?machine_id=%s&tee_key=%s&anchor_block=%d&pop=%s", d.n.url, d.machine, d.a.teeKey,
		anchor, hexutil.Encode(d.a.pop(t, anchor, bundle)))
}

// clientFrom returns an HTTP client whose connections come from source address src
// (all of 127.0.0.0/8 is loopback): each agent or attacker its own /24.
func clientFrom(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}}
}

type reply struct {
	code       int
	id         string
	retryAfter bool
	body       string
	err        error
}

func postBody(c *http.Client, url string, body io.Reader, n int64) reply {
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		return reply{err: err}
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	var res api.SubmitResult
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(b, &res)
	return reply{code: resp.StatusCode, id: res.ID, retryAfter: resp.Header.Get("Retry-After") != "", body: string(b)}
}

// TestResubmissionReturnsSubmission: a client that missed its acknowledgement
// sends the same evidence again and learns the submission's id (200); the same
// evidence with other parameters is refused (its report data binds the first
// ones) and leaves the first submission as it was.
func TestResubmissionReturnsSubmission(t *testing.T) {
	t.Parallel()
	d := newDosEnv(t, nil)
	ch := d.a.challenge(t, d.n)
	sub := d.submissions(t, ch, 1)[0]
	c := clientFrom("127.0.0.1")
	first := postBody(c, sub.url, bytes.NewReader(sub.bundle), int64(len(sub.bundle)))
	if first.err != nil || first.code != http.StatusAccepted || first.id == "" {
		t.Fatalf("first submission: %v HTTP %d %s", first.err, first.code, first.body)
	}
	again := postBody(c, sub.url, bytes.NewReader(sub.bundle), int64(len(sub.bundle)))
	if again.err != nil || again.code != http.StatusOK || again.id != first.id {
		t.Fatalf("same submission again: %v HTTP %d id %q, want 200 with id %q", again.err, again.code, again.id, first.id)
	}
	// The same evidence under the next block as anchor (a valid challenge of its
	// own, with a proof of possession for it, so only the replay is wrong).
	other := d.a.challenge(t, d.n).AnchorBlockNumber
	for other == ch.AnchorBlockNumber {
		d.e.rpc(t, "anvil_mine", "0x1")
		other = d.a.challenge(t, d.n).AnchorBlockNumber
	}
	r := postBody(c, d.url(t, other, sub.bundle), bytes.NewReader(sub.bundle), int64(len(sub.bundle)))
	if r.err != nil || r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"field":"body"`) ||
		!strings.Contains(r.body, "report data") {
		t.Fatalf("same evidence, other anchor: %v HTTP %d %s, want 422 on the body's report data", r.err, r.code, r.body)
	}
	if again := postBody(c, sub.url, bytes.NewReader(sub.bundle), int64(len(sub.bundle))); again.err != nil ||
		again.code != http.StatusOK || again.id != first.id {
		t.Fatalf("same submission after the refused replay: %v HTTP %d id %q, want 200 with id %q", again.err, again.code, again.id, first.id)
	}
}

// submitAll sends subs from agents agents, each from its own /24 and retrying
// 429/503 after Retry-After as an agent does, and returns the time to acknowledge
// them all and each one's latency (retries included).
func submitAll(tb testing.TB, subs []submission, agents int) (time.Duration, []time.Duration) {
	lat := make([]time.Duration, len(subs))
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range agents {
		c := clientFrom(fmt.Sprintf("127.0.%d.1", 10+w))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				// An agent's back-off: 50 ms between attempts, until accepted.
				_ = retry.Do(context.Background(), retry.Policy{Initial: 50 * time.Millisecond, Max: 50 * time.Millisecond}, func(context.Context) error {
					r := postBody(c, subs[i].url, bytes.NewReader(subs[i].bundle), int64(len(subs[i].bundle)))
					if r.err == nil && (r.code == http.StatusAccepted || r.code == http.StatusOK) {
						return nil
					}
					if r.err == nil && r.code != http.StatusTooManyRequests && r.code != http.StatusServiceUnavailable {
						tb.Errorf("submission %d: HTTP %d %s", i, r.code, r.body)
						return retry.Permanent(errors.New("refused"))
					}
					return errUnavailable
				})
				lat[i] = time.Since(t0)
			}
		}()
	}
	for i := range subs {
		next <- i
	}
	close(next)
	wg.Wait()
	return time.Since(start), lat
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// floodBody is a valid evidence bundle of about size bytes whose collateral is
// mostly one repeated block, so a client can stream many large unique bodies
// without holding them: prefix, then the block's base64 repeated, then a suffix.
type floodBody struct {
	head, block, tail []byte
	reps              int
}

func newFloodBody(t testing.TB, bundle []byte, size int) *floodBody {
	block := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 48<<10)) // 3-byte aligned: no padding
	head := append(bytes.Clone(bytes.TrimSuffix(bytes.TrimSpace(bundle), []byte("}"))), []byte(`,"collateral":{"flood.bin":"`)...)
	return &floodBody{head: head, block: []byte(block), tail: []byte(`"}}`), reps: size / len(block)}
}

// reader returns the body made unique by seed (in its first collateral bytes).
func (f *floodBody) reader(seed uint64) (io.Reader, int64) {
	var u [24]byte
	binary.BigEndian.PutUint64(u[:], seed)
	uniq := []byte(base64.StdEncoding.EncodeToString(u[:]))
	rs := []io.Reader{bytes.NewReader(f.head), bytes.NewReader(uniq)}
	for range f.reps {
		rs = append(rs, bytes.NewReader(f.block))
	}
	rs = append(rs, bytes.NewReader(f.tail))
	return io.MultiReader(rs...), int64(len(f.head) + len(uniq) + f.reps*len(f.block) + len(f.tail))
}

// BenchmarkEvidenceHTTP measures evidence submissions acknowledged over HTTP with
// the node's default limits, from 16 agents each on its own /24 (loopback source
// addresses), first alone, then while an attacker floods POST /v1/evidence with
// unique 4 MB bundles: from one other address with 16 connections as fast as it is
// answered, and from 64 connections in 8 other /24s, each /24 paced to the request
// rate limit (20/s). The attacker runs in the same process, on the same cores. It
// reports both rates, their ratio (same process, same machine: the figure to
// compare), and p50/p99 latency including the agents' retries.
//
//	go test ./oracle/service -run '^$' -bench BenchmarkEvidenceHTTP -benchtime 1000x
func BenchmarkEvidenceHTTP(b *testing.B) {
	b.Run("one-address", func(b *testing.B) { benchEvidenceHTTP(b, 1, 16, false) })
	b.Run("8-prefixes-paced", func(b *testing.B) { benchEvidenceHTTP(b, 8, 8, true) })
}

// benchEvidenceHTTP floods from floodConns connections in each of floodPrefixes
// /24s, paced to the request rate limit or as fast as answered.
func benchEvidenceHTTP(b *testing.B, floodPrefixes, floodConns int, floodPaced bool) {
	d := newDosEnv(b, nil)
	ch := d.a.challenge(b, d.n)
	quietSubs := d.submissions(b, ch, b.N)
	floodSubs := d.submissions(b, ch, b.N)
	fb := newFloodBody(b, quietSubs[0].bundle, 4<<20-4096)
	b.ResetTimer()

	quiet, quietLat := submitAll(b, quietSubs, 16)

	ctx, stop := context.WithCancel(context.Background())
	var floodWG sync.WaitGroup
	var sent, refused atomic.Int64
	for w := range floodPrefixes {
		// Within the request rate limit when paced: 20 requests a second from each
		// /24, shared by its connections.
		pace := rate.NewLimiter(rate.Inf, 1)
		if floodPaced {
			pace = rate.NewLimiter(20, 1)
		}
		for j := range floodConns {
			c := clientFrom(fmt.Sprintf("127.0.%d.%d", 200+w, 1+j))
			floodWG.Add(1)
			go func() {
				defer floodWG.Done()
				for seed := uint64(w)<<32 | uint64(j)<<24; ; seed++ {
					if pace.Wait(ctx) != nil {
						return
					}
					body, n := fb.reader(seed)
					r := postBody(c, quietSubs[0].url, body, n)
					sent.Add(1)
					if r.code == http.StatusTooManyRequests || r.code == http.StatusServiceUnavailable {
						refused.Add(1)
					}
				}
			}()
		}
	}
	flood, floodLat := submitAll(b, floodSubs, 16)
	stop()
	floodWG.Wait()
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(b.N)/quiet.Seconds(), "acked/s")
	b.ReportMetric(float64(percentile(quietLat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(quietLat, 0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/flood.Seconds(), "flood-acked/s")
	b.ReportMetric(float64(percentile(floodLat, 0.5).Microseconds())/1000, "flood-p50-ms")
	b.ReportMetric(float64(percentile(floodLat, 0.99).Microseconds())/1000, "flood-p99-ms")
	b.ReportMetric(quiet.Seconds()/flood.Seconds(), "flood/quiet")
	b.ReportMetric(float64(sent.Load())/flood.Seconds(), "attack-req/s")
	b.ReportMetric(float64(refused.Load())/float64(max(sent.Load(), 1)), "attack-refused")
}

// BenchmarkEvidenceMemory replays the large-upload attack: 200 concurrent
// POST /v1/evidence of unique 4 MB bundles, 20 from each of 10 /24s, all valid
// evidence for a registered machine, against a node with its default limits and
// the process memory limit serve sets by default (--memory-limit 512 MiB), and
// again with only the in-flight bounds (no per-client byte rate). It
// reports the resident memory before and the peak the run added (VmHWM after the
// peak is reset; the process also holds the test's clients and chain client),
// how many uploads were acknowledged, refused with an answer read, or refused
// and reset (a refused body over 256 KiB is not drained), and how many hung
// (must be 0), and checks /healthz during the attack.
//
//	go test ./oracle/service -run '^$' -bench BenchmarkEvidenceMemory -benchtime 1x
func BenchmarkEvidenceMemory(b *testing.B) {
	b.Run("defaults", func(b *testing.B) { benchEvidenceMemory(b, nil) })
	// Without the byte rate, the in-flight bounds alone hold memory.
	b.Run("in-flight-bounds-only", func(b *testing.B) {
		benchEvidenceMemory(b, func(c *api.Config) { c.EvidenceByteRate = 1 << 40 })
	})
}

func benchEvidenceMemory(b *testing.B, apiCfg func(*api.Config)) {
	d := newDosEnv(b, apiCfg)
	ch := d.a.challenge(b, d.n)
	const clients, perPrefix = 200, 20
	prev := debug.SetMemoryLimit(memLimit())
	defer debug.SetMemoryLimit(prev)
	var acked, refused, reset, lost atomic.Int64
	var peak, base int64
	b.ResetTimer()
	for range b.N {
		subs := d.submissions(b, ch, clients)
		bodies := make([]*floodBody, clients)
		for i := range bodies {
			bodies[i] = newFloodBody(b, subs[i].bundle, 4<<20-4096)
		}
		before := resetPeakRSS(b)
		base = max(base, before)
		var wg sync.WaitGroup
		for i := range clients {
			c := clientFrom(fmt.Sprintf("127.0.%d.%d", 100+i/perPrefix, 1+i%perPrefix))
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, n := bodies[i].reader(uint64(i))
				r := postBody(c, subs[i].url, body, n)
				var ne net.Error
				switch {
				case r.err != nil && errors.As(r.err, &ne) && ne.Timeout():
					lost.Add(1)
				case r.err != nil:
					reset.Add(1) // refused and not drained (see api.drainBody)
				case r.code == http.StatusAccepted || r.code == http.StatusOK:
					acked.Add(1)
				case (r.code == http.StatusTooManyRequests || r.code == http.StatusServiceUnavailable) && r.retryAfter,
					r.code == http.StatusRequestEntityTooLarge:
					refused.Add(1)
				default:
					b.Errorf("upload %d: HTTP %d", i, r.code)
				}
			}()
		}
		t0 := time.Now()
		resp, err := clientFrom("127.0.250.1").Get(d.n.url + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			b.Errorf("healthz during the uploads: %v", err)
		} else {
			resp.Body.Close()
		}
		b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "healthz-ms")
		wg.Wait()
		peak = max(peak, peakRSS(b)-before)
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-rss-added-MiB")
	b.ReportMetric(float64(base)/(1<<20), "rss-before-MiB")
	b.ReportMetric(float64(acked.Load())/float64(b.N), "acked")
	b.ReportMetric(float64(refused.Load())/float64(b.N), "refused")
	b.ReportMetric(float64(reset.Load())/float64(b.N), "reset")
	b.ReportMetric(float64(lost.Load())/float64(b.N), "hung")
	if lost.Load() != 0 {
		b.Errorf("%d uploads got no answer in time", lost.Load())
	}
}

// resetPeakRSS resets the process's peak resident set (Linux clear_refs 5) and
// returns the current resident set.
func resetPeakRSS(tb testing.TB) int64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Skipf("cannot reset the peak resident set: %v", err)
	}
	return procStatus(tb, "VmRSS:")
}

func peakRSS(tb testing.TB) int64 { return procStatus(tb, "VmHWM:") }

func procStatus(tb testing.TB, field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatalf("no %s in /proc/self/status", field)
	return 0
}

func memLimit() int64 {
	if v, err := strconv.ParseInt(os.Getenv("DOS_MEMLIMIT"), 10, 64); err == nil {
		return v
	}
	return 512 << 20
}
