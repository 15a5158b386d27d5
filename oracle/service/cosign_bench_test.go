package service

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// cosignBench is a node reduced to what co-signing reads: a real store holding
// n verdicts this node signed.
func cosignBench(b *testing.B, n int) (*Service, []common.Hash) {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), "node.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("cosign bench oracle")))
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{st: st, cfg: Config{OracleKey: key}, oracle: crypto.PubkeyToAddress(key.PublicKey),
		domain: verdict.Domain{ChainID: 31337, Registry: common.Address{0xaa}}, m: newMetrics(prometheus.NewRegistry())}
	hashes := make([]common.Hash, n)
	for i := range hashes {
		var v verdict.Verdict
		v.MachineID = crypto.Keccak256Hash([]byte{byte(i >> 8), byte(i), 1})
		v.EvidenceHash = crypto.Keccak256Hash([]byte{byte(i >> 8), byte(i), 2})
		v.TEE, v.Status, v.IssuedAt, v.ExpiresAt = verdict.TEESEVSNP, verdict.StatusTrusted, 1700000000, 1700003600
		body, err := json.Marshal(&v)
		if err != nil {
			b.Fatal(err)
		}
		h := v.Digest(s.domain)
		if err := st.PutVerdict(store.Verdict{Hash: h, MachineID: v.MachineID, IssuedAt: v.IssuedAt, Body: body}); err != nil {
			b.Fatal(err)
		}
		sig, err := verdict.Sign(h, key)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.PutSignature(h, s.oracle, sig); err != nil {
			b.Fatal(err)
		}
		hashes[i] = h
	}
	return s, hashes
}

// BenchmarkCosignBatch256 is the node's cost of co-signing a batch of 256
// verdicts (POST /v1/peer/batch-signature behind the handler); its baseline,
// BenchmarkServeSignatures256, serves the same 256 verdicts' own signatures one
// by one, as GET /v1/verdicts/{hash}/signature does for a peer per verdict.
func BenchmarkCosignBatch256(b *testing.B) {
	s, hashes := cosignBench(b, api.MaxBatchVerdicts)
	b.ResetTimer()
	for range b.N {
		if _, err := s.BatchSignature(context.Background(), hashes); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServeSignatures256(b *testing.B) {
	s, hashes := cosignBench(b, api.MaxBatchVerdicts)
	b.ResetTimer()
	for range b.N {
		for _, h := range hashes {
			if _, err := s.Signature(context.Background(), h); err != nil {
				b.Fatal(err)
			}
		}
	}
}
