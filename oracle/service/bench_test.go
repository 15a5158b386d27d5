package service_test

import (
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// BenchmarkSubmitVerifySign measures the node's throughput from HTTP submission to a
// stored, signed verdict: decode, store-then-ack, appraisal (SEV-SNP signature and
// chain, CRL), decision, EIP-712 signing and the state changes, with the worker pool
// on every core. The registry's threshold is 2 and only one node runs, so nothing is
// published: the figure is the node's, not the chain's.
//
//	go test ./oracle/service -run '^$' -bench BenchmarkSubmitVerifySign -benchtime 2000x
func BenchmarkSubmitVerifySign(b *testing.B) {
	oracleKey, oracle := testchain.DevKey(1)
	_, other := testchain.DevKey(8)
	provider, _ := testchain.DevKey(2)
	e := newChain(b, []common.Address{oracle, other}, 2, 256)
	good := measurement(0x11)
	pol := testPolicy(b, "bench", 3600, good)
	e.registerPolicy(b, pol)
	machine := e.registerMachine(b, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(b, time.Now().Add(-24*time.Hour))
	// The 16 submitters share one address: lift the per-client bound on submissions
	// in flight and bytes per second so the figure is the node's, not the admission's.
	n := startNode(b, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, reappEvery: time.Hour,
		api: func(c *api.Config) { c.MaxEvidencePerClient, c.EvidenceByteRate = 32, 1<<30 }})
	a := e.newAgent(b, snp, machine)
	ch := a.challenge(b, n)

	// One piece of evidence per submission, all from the machine's authorised key:
	// the guest policy's low bits make each report distinct.
	rd := verdict.Binding{ChainID: e.chainID, Registry: e.registry, MachineID: machine, TEEKey: a.teeKey,
		AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash}.ReportData()
	bundles := make([][]byte, b.N)
	for i := range bundles {
		bundles[i] = snp.bundle(b, reportOpts{reportData: rd, measurement: good, policy: 0x30000 | uint64(1+i%0xfffe)})
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if code, res := a.submit(b, n, ch.AnchorBlockNumber, bundles[i]); code != 202 {
					b.Errorf("submit %d: HTTP %d %s", i, code, res.Error)
				}
			}
		}()
	}
	for i := range bundles {
		next <- i
	}
	close(next)
	wg.Wait()
	acked := time.Since(start)
	if !eventually(10*time.Minute, 20*time.Millisecond, func() bool {
		pending := 0
		_ = n.store.Unfinished(func(s store.Submission) error {
			if s.State == store.StateReceived || s.State == store.StateVerified {
				pending++
			}
			return nil
		})
		return pending == 0
	}) {
		b.Fatal("submissions still unprocessed after 10 min")
	}
	total := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/total.Seconds(), "signed/s")
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acked/s")
	b.ReportMetric(0, "ns/op")

}
