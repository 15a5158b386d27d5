package service

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

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

// BenchmarkRelayClaim256 is a node's cost of a peer's relay claim of 256 verdicts
// (POST /v1/peer/relay-claim behind the handler: one signature recovery and the
// claim table), taken while the signer is within its share (taken-us) and refused
// once it is at its share with every entry of the table live, which scans the table
// for expired entries first (refused-us); ratio is refused-us / taken-us, both
// measured in this run.
func BenchmarkRelayClaim256(b *testing.B) {
	selfKey, _ := crypto.GenerateKey()
	peerKey, _ := crypto.GenerateKey()
	peer := crypto.PubkeyToAddress(peerKey.PublicKey)
	now := time.Unix(1_700_000_000, 0)
	s := &Service{cfg: Config{Now: func() time.Time { return now }, OracleKey: selfKey, Peers: []string{"http://peer.invalid"}},
		oracle: crypto.PubkeyToAddress(selfKey.PublicKey), domain: verdict.Domain{ChainID: 31337, Registry: common.Address{0xaa}},
		m: newMetrics(prometheus.NewRegistry())}
	s.notePeer(peer, "http://peer.invalid")
	perShare := claimShare(1) / api.MaxBatchVerdicts
	exp := uint64(now.Add(claimHold).Unix())
	type signed struct {
		hashes []common.Hash
		claim  api.RelayClaim
	}
	claims := make([]signed, perShare+1)
	for i := range claims {
		hs := make([]common.Hash, api.MaxBatchVerdicts)
		for j := range hs {
			hs[j] = crypto.Keccak256Hash([]byte{byte(i), byte(j)})
		}
		sig, err := verdict.Sign(verdict.RelayClaimDigest(s.domain, hs, exp), peerKey)
		if err != nil {
			b.Fatal(err)
		}
		claims[i] = signed{hs, api.RelayClaim{Signer: peer, Expires: exp, Signature: sig}}
	}
	var taken, refused time.Duration
	for i := 0; i < b.N; i++ {
		s.claims, s.claimsOf = nil, nil
		start := time.Now()
		for _, c := range claims[:perShare] {
			if err := s.NoteRelayClaim(c.hashes, c.claim); err != nil {
				b.Fatal(err)
			}
		}
		taken += time.Since(start)
		over := claims[perShare]
		start = time.Now()
		for range perShare {
			if err := s.NoteRelayClaim(over.hashes, over.claim); !errors.Is(err, errClaimShare) {
				b.Fatalf("claim past the share: %v", err)
			}
		}
		refused += time.Since(start)
	}
	n := float64(b.N * perShare)
	b.ReportMetric(float64(taken.Microseconds())/n, "taken-us")
	b.ReportMetric(float64(refused.Microseconds())/n, "refused-us")
	b.ReportMetric(float64(refused)/float64(taken), "ratio")
}
