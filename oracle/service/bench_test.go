package service_test

import (
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/testchain"
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
	n := startNode(b, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, reappEvery: time.Hour})
	a := e.newAgent(b, snp, machine)
	ch := a.challenge(b, n)

	// One piece of evidence per submission: a fresh TEE key gives fresh report data.
	bundles := make([][]byte, b.N)
	keys := make([]common.Address, b.N)
	for i := range bundles {
		k, _ := crypto.GenerateKey()
		keys[i] = crypto.PubkeyToAddress(k.PublicKey)
		rd := verdict.Binding{ChainID: e.chainID, Registry: e.registry, MachineID: machine, TEEKey: keys[i],
			AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash}.ReportData()
		bundles[i] = snp.bundle(b, reportOpts{reportData: rd, measurement: good})
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
				ag := &agent{snp: snp, machine: machine, teeKey: keys[i]}
				if code, res := ag.submit(b, n, ch.AnchorBlockNumber, bundles[i]); code != 202 {
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
	for {
		pending := 0
		_ = n.store.Unfinished(func(s store.Submission) error {
			if s.State == store.StateReceived || s.State == store.StateVerified {
				pending++
			}
			return nil
		})
		if pending == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	total := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/total.Seconds(), "signed/s")
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acked/s")
	b.ReportMetric(0, "ns/op")

}
