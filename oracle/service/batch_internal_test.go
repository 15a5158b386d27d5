package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

func candSignedBy(h byte, signers ...common.Address) *candidate {
	c := &candidate{hash: common.Hash{h}}
	for _, a := range signers {
		c.sigs = append(c.sigs, verdict.Signature{Signer: a})
	}
	return c
}

func hashesOf(cs []*candidate) []byte {
	var out []byte
	for _, c := range cs {
		out = append(out, c.hash[0])
	}
	return out
}

func TestPickGroup(t *testing.T) {
	self, p1, p2, p3 := common.Address{0x50}, common.Address{0x10}, common.Address{0x20}, common.Address{0x30}
	ready := []*candidate{
		candSignedBy(1, self, p1),
		candSignedBy(2, self, p2),
		candSignedBy(3, self, p2, p1),
		candSignedBy(4, self, p2),
		candSignedBy(5, p1, p3), // this node's signature does not count (e.g. it lacks it)
	}
	t.Run("self and the peer that signed the most", func(t *testing.T) {
		signers, group, rest := pickGroup(ready, 2, self, nil, 32)
		if len(signers) != 2 || signers[0] != p2 || signers[1] != self {
			t.Fatalf("signers %v, want [%s %s] ascending", signers, p2, self)
		}
		if string(hashesOf(group)) != "\x02\x03\x04" || string(hashesOf(rest)) != "\x01\x05" {
			t.Fatalf("group %v rest %v", hashesOf(group), hashesOf(rest))
		}
	})
	t.Run("bounded by max, the rest kept in order", func(t *testing.T) {
		_, group, rest := pickGroup(ready, 2, self, nil, 2)
		if string(hashesOf(group)) != "\x02\x03" || string(hashesOf(rest)) != "\x01\x04\x05" {
			t.Fatalf("group %v rest %v", hashesOf(group), hashesOf(rest))
		}
	})
	t.Run("an excluded peer is passed over", func(t *testing.T) {
		signers, group, _ := pickGroup(ready, 2, self, map[common.Address]bool{p2: true}, 32)
		if len(signers) != 2 || signers[0] != p1 || signers[1] != self || string(hashesOf(group)) != "\x01\x03" {
			t.Fatalf("signers %v group %v", signers, hashesOf(group))
		}
	})
	t.Run("verdicts this node did not sign form their own group", func(t *testing.T) {
		signers, group, rest := pickGroup([]*candidate{ready[4]}, 2, self, nil, 32)
		if len(signers) != 2 || signers[0] != p1 || signers[1] != p3 || len(group) != 1 || len(rest) != 0 {
			t.Fatalf("signers %v group %v rest %v", signers, hashesOf(group), hashesOf(rest))
		}
	})
	t.Run("no m signers in common", func(t *testing.T) {
		signers, group, rest := pickGroup(ready[:2], 3, self, nil, 32)
		if signers != nil || group != nil || len(rest) != 2 {
			t.Fatalf("signers %v group %v rest %v, want nothing grouped", signers, hashesOf(group), hashesOf(rest))
		}
	})
	t.Run("tie broken by the lowest address", func(t *testing.T) {
		signers, group, _ := pickGroup(ready[:2], 2, self, nil, 32)
		if signers[0] != p1 || string(hashesOf(group)) != "\x01" {
			t.Fatalf("signers %v group %v, want p1 (lower than p2) with verdict 1", signers, hashesOf(group))
		}
	})
}

// A peer's co-signing answer is believed only for the batch asked: a signature
// over another digest, or by another key, or a refusal naming no verdict of the
// batch, is an error (the publisher then passes the peer over).
func TestCosignAnswersChecked(t *testing.T) {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("cosign answer peer")))
	if err != nil {
		t.Fatal(err)
	}
	peer := crypto.PubkeyToAddress(key.PublicKey)
	digest, other := common.Hash{1}, common.Hash{2}
	answer := func(d common.Hash) []byte {
		sig, err := verdict.Sign(d, key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(api.BatchSignatureView{Signer: peer, Signature: hexutil.Encode(sig), BatchDigest: d})
		return b
	}
	if sig, err := cosignedSig(answer(digest), peer, digest); err != nil || len(sig) != verdict.SignatureSize {
		t.Fatalf("good answer: %v", err)
	}
	if _, err := cosignedSig(answer(other), peer, digest); err == nil || !strings.Contains(err.Error(), "signed another batch") {
		t.Fatalf("signature over another digest: err = %v", err)
	}
	if _, err := cosignedSig(answer(digest), common.Address{9}, digest); err == nil {
		t.Fatal("signature by another key than the signer asked accepted")
	}
	if _, err := cosignedSig([]byte(`{"signature":"0xzz"}`), peer, digest); err == nil {
		t.Fatal("non-hex signature accepted")
	}
	asked := []common.Hash{{0xa}, {0xb}}
	got, err := lackedOf([]byte(`{"missing":["`+common.Hash{0xb}.Hex()+`","`+common.Hash{0xc}.Hex()+`"]}`), asked)
	if err != nil || len(got) != 1 || got[0] != (common.Hash{0xb}) {
		t.Fatalf("refusal naming one asked verdict and one other: %v, %v; want only the asked one", got, err)
	}
	if _, err := lackedOf([]byte(`{"missing":["`+common.Hash{0xc}.Hex()+`"]}`), asked); err == nil {
		t.Fatal("refusal naming no verdict of the batch accepted")
	}
}

// A node that restarted with its quorums complete has not asked its peers for
// signatures, so it does not know which peer signs as which oracle: learnPeers
// finds out from the peers' own signatures over the batch's verdicts, and maps
// nobody to a peer that has none.
func TestLearnPeers(t *testing.T) {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("learn peers peer")))
	if err != nil {
		t.Fatal(err)
	}
	peer := crypto.PubkeyToAddress(key.PublicKey)
	h := common.Hash{0x42}
	sig, err := verdict.Sign(h, key)
	if err != nil {
		t.Fatal(err)
	}
	signing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/verdicts/"+h.String()+"/signature" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(api.SignatureView{Signer: peer, Signature: hexutil.Encode(sig)})
	}))
	defer signing.Close()
	blank := httptest.NewServer(http.NotFoundHandler())
	defer blank.Close()
	self := common.Address{0x01}
	s := &Service{cfg: Config{Peers: []string{blank.URL, signing.URL}}, http: signing.Client(), oracle: self}
	c := &candidate{hash: h, v: &verdict.Verdict{EvidenceHash: common.Hash{0x43}}}
	if _, ok := s.peerOf(peer); ok {
		t.Fatal("peer known before learning")
	}
	s.learnPeers(context.Background(), []common.Address{self, peer}, []*candidate{c})
	if u, ok := s.peerOf(peer); !ok || u != signing.URL {
		t.Fatalf("peer %s mapped to %q (%v), want %s", peer, u, ok, signing.URL)
	}
	if len(s.peerURLs) != 1 {
		t.Fatalf("peers learnt %v, want only the one that signed", s.peerURLs)
	}
}

// A node that co-signed a peer's batch leaves the relaying of its verdicts to that
// peer for claimHold, even when it is the first signer, and takes it up again once
// the claim is older (the peer died or its transaction is stuck) or the verdict is
// settled.
func TestRelayClaims(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	self := common.Address{0x01}
	s := &Service{cfg: Config{Now: func() time.Time { return now }, RelayDelay: time.Second}, oracle: self}
	first := []verdict.Signature{{Signer: self}, {Signer: common.Address{0x02}}}
	h, other := common.Hash{0xa}, common.Hash{0xb}
	if !s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("first signer of an unclaimed verdict does not relay at once")
	}
	s.noteClaims([]common.Hash{h})
	if s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("first signer relays a verdict a peer claimed (duplicate relaying)")
	}
	if got := hashesOf(s.unclaimed([]*candidate{{hash: h}, {hash: other}})); string(got) != "\x0b" {
		t.Fatalf("unclaimed = %x, want only the unclaimed verdict", got)
	}
	now = now.Add(claimHold - time.Millisecond)
	if !s.claimed(h) {
		t.Fatal("claim ended before claimHold")
	}
	now = now.Add(time.Millisecond)
	if s.claimed(h) || !s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("claim older than claimHold still holds the verdict back")
	}
	// Anyone may ask for a batch signature: asking again does not renew a claim.
	s.noteClaims([]common.Hash{h})
	if s.claimed(h) || !s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("a repeated co-sign request renewed an expired claim (anyone could hold a verdict back for ever)")
	}
	s.forget(h)
	s.noteClaims([]common.Hash{h})
	if !s.claimed(h) {
		t.Fatal("claim after the verdict's state was dropped not recorded")
	}
	s.forget(h)
	if s.claimed(h) {
		t.Fatal("claim of a settled verdict kept")
	}
	// A verdict the node lacked when asked: claimed for claimHold; the map of such
	// claims stays bounded.
	s.noteEarlyClaims([]common.Hash{other})
	if !s.claimed(other) || s.relaysNow(other, &quorumState{}, first) {
		t.Fatal("verdict claimed before this node held it is relayed")
	}
	now = now.Add(claimHold)
	if s.claimed(other) {
		t.Fatal("early claim older than claimHold still holds the verdict back")
	}
	many := make([]common.Hash, maxEarlyClaims+10)
	for i := range many {
		many[i] = common.BigToHash(big.NewInt(int64(i + 1000)))
	}
	s.noteEarlyClaims(many)
	s.noteEarlyClaims(many)
	if len(s.early) > maxEarlyClaims {
		t.Fatalf("%d early claims kept, want at most %d", len(s.early), maxEarlyClaims)
	}
}

// announceClaim asks the peers outside a batch's signers, and only them, to
// co-sign it, so that they learn that this node relays its verdicts.
func TestAnnounceClaim(t *testing.T) {
	var mu sync.Mutex
	asked := map[string][]common.Hash{}
	handler := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				VerdictHashes []common.Hash `json:"verdict_hashes"`
			}
			if r.URL.Path != "/v1/peer/batch-signature" || json.NewDecoder(r.Body).Decode(&body) != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			mu.Lock()
			asked[name] = body.VerdictHashes
			mu.Unlock()
			http.Error(w, "not held", http.StatusUnprocessableEntity)
		})
	}
	signer, outside := httptest.NewServer(handler("signer")), httptest.NewServer(handler("outside"))
	defer signer.Close()
	defer outside.Close()
	self, peer := common.Address{0x01}, common.Address{0x02}
	s := &Service{cfg: Config{Peers: []string{signer.URL, outside.URL}}, http: signer.Client(), oracle: self,
		log: slog.New(slog.DiscardHandler)}
	s.notePeer(peer, signer.URL)
	s.announceClaim(context.Background(), []common.Address{self, peer}, []*candidate{{hash: common.Hash{0xa}}, {hash: common.Hash{0xb}}})
	s.wg.Wait()
	if _, ok := asked["signer"]; ok {
		t.Fatal("a signer of the batch was asked again")
	}
	if got := asked["outside"]; len(got) != 2 || got[0] != (common.Hash{0xa}) || got[1] != (common.Hash{0xb}) {
		t.Fatalf("peer outside the batch asked for %v, want the batch's two verdicts in order", got)
	}
}
