package service

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
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
	if urls := s.peersOf(peer); len(urls) != 0 {
		t.Fatal("peer known before learning")
	}
	s.learnPeers(context.Background(), []common.Address{self, peer}, []*candidate{c})
	if urls := s.peersOf(peer); len(urls) != 1 || urls[0] != signing.URL {
		t.Fatalf("peer %s mapped to %q, want %s", peer, urls, signing.URL)
	}
	if len(s.peerURLs) != 1 {
		t.Fatalf("peers learnt %v, want only the one that signed", s.peerURLs)
	}
}

// A peer that serves signatures by keys of its own making (or by this node's key)
// is not learnt as signing as them, neither when the batch's signers are being
// found (learnPeers) nor when its signature is fetched for a quorum (askPeer, for a
// key that is not an oracle): it could otherwise add signers without bound, each
// with its own share of the relay claims the node keeps.
func TestPeerServingOtherKeysNotLearnt(t *testing.T) {
	h := common.Hash{0x42}
	var mu sync.Mutex
	var serve *ecdsa.PrivateKey
	minting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		key := serve
		mu.Unlock()
		sig, err := verdict.Sign(h, key)
		if err != nil {
			t.Error(err)
		}
		_ = json.NewEncoder(w).Encode(api.SignatureView{Signer: crypto.PubkeyToAddress(key.PublicKey), Signature: hexutil.Encode(sig)})
	}))
	defer minting.Close()
	selfKey, _ := crypto.GenerateKey()
	self := crypto.PubkeyToAddress(selfKey.PublicKey)
	signer := common.Address{0x02}
	s := &Service{cfg: Config{Peers: []string{minting.URL}}, http: minting.Client(), oracle: self}
	c := &candidate{hash: h, v: &verdict.Verdict{EvidenceHash: common.Hash{0x43}}}
	for i := range 5 {
		minted, _ := crypto.GenerateKey()
		mu.Lock()
		serve = minted
		mu.Unlock()
		s.learnPeers(context.Background(), []common.Address{self, signer}, []*candidate{c})
		notOracle := func(common.Address) (bool, error) { return false, nil }
		if a := s.askPeer(context.Background(), minting.URL, h, c.v.EvidenceHash, notOracle); a.status.Status != "not_an_oracle" {
			t.Fatalf("round %d: a non-oracle's signature answered %+v, want not_an_oracle", i, a.status)
		}
	}
	mu.Lock()
	serve = selfKey
	mu.Unlock()
	anyone := func(common.Address) (bool, error) { return true, nil }
	s.askPeer(context.Background(), minting.URL, h, c.v.EvidenceHash, anyone)
	if len(s.peerURLs) != 0 {
		t.Fatalf("keys learnt from a peer serving signatures of keys of its own making or of this node's: %v", s.peerURLs)
	}
}

// A node that took a peer's relay claim leaves the relaying of its verdicts to
// that peer until the claim ends, even when it is the first signer, and takes it up
// again once the claim is over (the peer died or its transaction is stuck) or the
// verdict is settled. The first claim of a verdict counts and is never renewed.
func TestRelayClaims(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	self := common.Address{0x01}
	s := &Service{cfg: Config{Now: func() time.Time { return now }, RelayDelay: time.Second}, oracle: self}
	first := []verdict.Signature{{Signer: self}, {Signer: common.Address{0x02}}}
	h, other := common.Hash{0xa}, common.Hash{0xb}
	if !s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("first signer of an unclaimed verdict does not relay at once")
	}
	mustClaim(t, s, []common.Hash{h}, now.Add(claimHold))
	if s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("first signer relays a verdict a peer claimed (duplicate relaying)")
	}
	if got := hashesOf(s.unclaimed([]*candidate{{hash: h}, {hash: other}})); string(got) != "\x0b" {
		t.Fatalf("unclaimed = %x, want only the unclaimed verdict", got)
	}
	now = now.Add(claimHold - time.Millisecond)
	if !s.claimed(h) {
		t.Fatal("claim ended before it expired")
	}
	now = now.Add(time.Millisecond)
	if s.claimed(h) || !s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("expired claim still holds the verdict back")
	}
	mustClaim(t, s, []common.Hash{h}, now.Add(claimHold))
	if s.claimed(h) || !s.relaysNow(h, &quorumState{}, first) {
		t.Fatal("a second claim renewed an expired one (a peer could hold a verdict back for ever)")
	}
	s.forget(h)
	mustClaim(t, s, []common.Hash{h}, now.Add(claimHold))
	if !s.claimed(h) {
		t.Fatal("claim after the verdict's state was dropped not recorded")
	}
	s.forget(h)
	if s.claimed(h) {
		t.Fatal("claim of a settled verdict kept")
	}
	many := make([]common.Hash, maxClaims+10)
	for i := range many {
		many[i] = common.BigToHash(big.NewInt(int64(i + 1000)))
	}
	var tm *api.TooManyError
	if err := s.noteClaims(common.Address{0xee}, many, now.Add(claimHold)); !errors.As(err, &tm) || len(s.claims) != 0 {
		t.Fatalf("claim of %d verdicts, more than the table: %v, %d kept; want it refused whole", len(many), err, len(s.claims))
	}
	mustClaim(t, s, many[:maxClaims], now.Add(claimHold))
	now = now.Add(claimHold)
	mustClaim(t, s, many[10:], now.Add(claimHold)) // the expired ones make room
	if len(s.claims) != maxClaims {
		t.Fatalf("%d claims kept, want %d", len(s.claims), maxClaims)
	}
}

// mustClaim records a claim of hashes by the signer 0xee….
func mustClaim(t *testing.T, s *Service, hashes []common.Hash, until time.Time) {
	t.Helper()
	if err := s.noteClaims(common.Address{0xee}, hashes, until); err != nil {
		t.Fatal(err)
	}
}

// claimTest is a node (self) with one configured peer oracle whose key signs claims.
type claimTest struct {
	s       *Service
	now     *time.Time
	peerKey *ecdsa.PrivateKey
	peer    common.Address
}

func newClaimTest(t *testing.T) claimTest {
	t.Helper()
	selfKey, _ := crypto.GenerateKey()
	peerKey, _ := crypto.GenerateKey()
	now := time.Unix(1_700_000_000, 0)
	c := claimTest{now: &now, peerKey: peerKey, peer: crypto.PubkeyToAddress(peerKey.PublicKey)}
	c.s = &Service{cfg: Config{Now: func() time.Time { return *c.now }, OracleKey: selfKey, Peers: []string{"http://peer.invalid"}},
		oracle: crypto.PubkeyToAddress(selfKey.PublicKey), domain: verdict.Domain{ChainID: 31337, Registry: common.Address{0x77}},
		log: slog.New(slog.DiscardHandler), m: newMetrics(prometheus.NewRegistry())}
	c.s.notePeer(c.peer, "http://peer.invalid")
	return c
}

// signClaim is key's claim over hashes for domain d, expiring at exp.
func signClaim(t *testing.T, key *ecdsa.PrivateKey, d verdict.Domain, hashes []common.Hash, exp uint64) api.RelayClaim {
	t.Helper()
	sig, err := verdict.Sign(verdict.RelayClaimDigest(d, hashes, exp), key)
	if err != nil {
		t.Fatal(err)
	}
	return api.RelayClaim{Signer: crypto.PubkeyToAddress(key.PublicKey), Expires: exp, Signature: sig}
}

// TestNoteRelayClaimRefusals: a relay claim holds verdicts back only when it is
// signed by a configured peer oracle, for this registry, over the verdicts named,
// and current. Every other claim is refused with its reason and has no effect.
func TestNoteRelayClaimRefusals(t *testing.T) {
	c := newClaimTest(t)
	hs := []common.Hash{{0xa}, {0xb}}
	exp := uint64(c.now.Add(claimHold).Unix())
	stranger, _ := crypto.GenerateKey()
	forged := signClaim(t, stranger, c.s.domain, hs, exp)
	forged.Signer = c.peer
	selfSigned := signClaim(t, c.s.cfg.OracleKey, c.s.domain, hs, exp)
	for name, tc := range map[string]struct {
		claim  api.RelayClaim
		hashes []common.Hash
		want   string
	}{
		"stranger's key":            {signClaim(t, stranger, c.s.domain, hs, exp), hs, "is not a configured peer oracle"},
		"stranger naming the peer":  {forged, hs, "not to the signer"},
		"this node's own claim":     {selfSigned, hs, "own oracle key"},
		"another registry":          {signClaim(t, c.peerKey, verdict.Domain{ChainID: 31337, Registry: common.Address{0x78}}, hs, exp), hs, "not to the signer"},
		"other verdicts named":      {signClaim(t, c.peerKey, c.s.domain, hs, exp), []common.Hash{{0xa}, {0xc}}, "not to the signer"},
		"verdicts reordered":        {signClaim(t, c.peerKey, c.s.domain, hs, exp), []common.Hash{{0xb}, {0xa}}, "not to the signer"},
		"expired":                   {signClaim(t, c.peerKey, c.s.domain, hs, uint64(c.now.Unix())), hs, "expired"},
		"expiring too far ahead":    {signClaim(t, c.peerKey, c.s.domain, hs, exp+uint64((claimSkew+time.Second)/time.Second)), hs, "later than"},
		"signature of wrong length": {api.RelayClaim{Signer: c.peer, Expires: exp, Signature: make([]byte, 64)}, hs, "signature"},
	} {
		err := c.s.NoteRelayClaim(tc.hashes, tc.claim)
		var fe *api.FieldError
		if !errors.As(err, &fe) || fe.Field != "claim" || !errors.Is(err, api.ErrForbidden) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a forbidden claim error saying %q", name, err, tc.want)
		}
		if len(c.s.claims) != 0 {
			t.Fatalf("%s: refused claim recorded: %v", name, c.s.claims)
		}
	}
	if got := metricValue(t, c.s.m.claimsRefused.WithLabelValues("forbidden")); got != 9 {
		t.Errorf("relay_claims_refused_total{reason=forbidden} = %v after 9 refusals", got)
	}
	if err := c.s.NoteRelayClaim(hs, signClaim(t, c.peerKey, c.s.domain, hs, exp)); err != nil {
		t.Fatalf("the configured peer's claim: %v", err)
	}
	if !c.s.claimed(hs[0]) || !c.s.claimed(hs[1]) {
		t.Fatal("the configured peer's claim holds nothing back")
	}
}

// TestRelayClaimSignerShare: one configured peer (hostile, or broken and claiming
// everything) that floods the node with claims of ever new verdicts signed by its
// oracle key is refused past that signer's share of the claim table (429 with the
// wait, counted in teeoracle_relay_claims_refused_total{reason="signer_share"}),
// recording nothing of the refused claim, while another peer's claims still land;
// once the flooder's claims expire it has its share again.
func TestRelayClaimSignerShare(t *testing.T) {
	c := newClaimTest(t)
	honestKey, _ := crypto.GenerateKey()
	c.s.cfg.Peers = append(c.s.cfg.Peers, "http://honest.invalid")
	c.s.notePeer(crypto.PubkeyToAddress(honestKey.PublicKey), "http://honest.invalid")
	share := claimShare(2)
	if share != maxClaims/2 || claimTable(2, 2) != maxClaims {
		t.Fatalf("share %d of %d for 2 peers, want half of %d", share, claimTable(2, 2), maxClaims)
	}
	exp := uint64(c.now.Add(claimHold).Unix())
	batch := func(round int) []common.Hash {
		hs := make([]common.Hash, api.MaxBatchVerdicts)
		for i := range hs {
			hs[i] = common.BigToHash(big.NewInt(int64(round*len(hs) + i + 1)))
		}
		return hs
	}
	round := 0
	for ; round < maxClaims/api.MaxBatchVerdicts; round++ {
		if err := c.s.NoteRelayClaim(batch(round), signClaim(t, c.peerKey, c.s.domain, batch(round), exp)); err != nil {
			if round*api.MaxBatchVerdicts != share {
				t.Fatalf("flooding peer refused after %d claims, its share is %d: %v", round*api.MaxBatchVerdicts, share, err)
			}
			var tm *api.TooManyError
			if !errors.As(err, &tm) || !errors.Is(err, errClaimShare) || tm.RetryAfter != claimHold ||
				!strings.Contains(err.Error(), c.peer.Hex()) || !strings.Contains(err.Error(), fmt.Sprint(share)) {
				t.Fatalf("refusal %v (%T), want a TooManyError naming the signer and its share, retry after %s", err, err, claimHold)
			}
			break
		}
	}
	if round*api.MaxBatchVerdicts != share || len(c.s.claims) != share || c.s.claimed(batch(round)[0]) {
		t.Fatalf("flooding peer kept %d claims after %d accepted batches, want its share %d and nothing of the refused batch",
			len(c.s.claims), round, share)
	}
	// Over HTTP the refusal is a 429 saying so, with the wait.
	srv, err := api.New(api.Config{Listen: "127.0.0.1:0", Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler)}, c.s)
	if err != nil {
		t.Fatal(err)
	}
	over := batch(round)
	claim := signClaim(t, c.peerKey, c.s.domain, over, exp)
	body, _ := json.Marshal(struct {
		VerdictHashes []common.Hash   `json:"verdict_hashes"`
		Claim         *api.RelayClaim `json:"claim"`
	}{over, &claim})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/peer/relay-claim", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != fmt.Sprint(int(claimHold/time.Second)) ||
		!strings.Contains(rec.Body.String(), "share") {
		t.Fatalf("POST /v1/peer/relay-claim past the peer's share: %d, Retry-After %q, %s; want 429 saying so",
			rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
	if got := metricValue(t, c.s.m.claimsRefused.WithLabelValues("signer_share")); got != 2 {
		t.Errorf("relay_claims_refused_total{reason=signer_share} = %v, want 2", got)
	}
	honest := []common.Hash{{0xe1}, {0xe2}}
	if err := c.s.NoteRelayClaim(honest, signClaim(t, honestKey, c.s.domain, honest, exp)); err != nil {
		t.Fatalf("the other peer's claim refused while the flooder is at its share: %v", err)
	}
	if !c.s.claimed(honest[0]) || !c.s.claimed(honest[1]) {
		t.Fatal("the other peer's claim holds nothing back")
	}
	// Once its claims expire the flooder has its share again.
	*c.now = c.now.Add(claimHold)
	exp = uint64(c.now.Add(claimHold).Unix())
	next := batch(round + 1)
	if err := c.s.NoteRelayClaim(next, signClaim(t, c.peerKey, c.s.domain, next, exp)); err != nil || !c.s.claimed(next[0]) {
		t.Fatalf("flooder's claim once its earlier ones expired: %v", err)
	}
}

// TestRelayClaimReplay: a claim replayed while it holds changes nothing (its end
// stays), and one replayed after it ended is refused as expired, so replaying a
// peer's claims cannot hold a verdict back longer than the peer did.
func TestRelayClaimReplay(t *testing.T) {
	c := newClaimTest(t)
	hs := []common.Hash{{0xa}}
	claim := signClaim(t, c.peerKey, c.s.domain, hs, uint64(c.now.Add(claimHold).Unix()))
	if err := c.s.NoteRelayClaim(hs, claim); err != nil {
		t.Fatal(err)
	}
	*c.now = c.now.Add(claimHold / 2)
	_ = c.s.NoteRelayClaim(hs, claim) // a replay while the claim holds
	fresh := signClaim(t, c.peerKey, c.s.domain, hs, uint64(c.now.Add(claimHold).Unix()))
	_ = c.s.NoteRelayClaim(hs, fresh) // even the peer's own later claim does not renew it
	*c.now = c.now.Add(claimHold / 2)
	if c.s.claimed(hs[0]) {
		t.Fatal("a replayed or repeated claim extended the hold past the first claim's end")
	}
	if err := c.s.NoteRelayClaim(hs, claim); !errors.Is(err, api.ErrForbidden) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("claim replayed after it ended: %v, want refused as expired", err)
	}
}

// TestCosignRequestIsNoClaim: asking a node to co-sign, which anyone may, does not
// make the asker the relayer of the verdicts named (before, any caller could hold a
// verdict back that way): only a signed claim does.
func TestCosignRequestIsNoClaim(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := newClaimTest(t)
	c.s.st = st
	hs := []common.Hash{{0xa}, {0xb}}
	var nh *api.NotHeldError
	if _, err := c.s.BatchSignature(context.Background(), hs); !errors.As(err, &nh) || len(nh.Hashes) != 2 {
		t.Fatalf("co-sign of verdicts not held: %v", err)
	}
	if c.s.claimed(hs[0]) || c.s.claimed(hs[1]) {
		t.Fatal("a co-signing request without a claim holds verdicts back")
	}
}

// announceClaim sends this node's signed relay claim, and only to the peers
// outside a batch's signers, over the batch's verdicts in order.
func TestAnnounceClaim(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]api.BatchSignatureRequest{}
	handler := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body api.BatchSignatureRequest
			if r.URL.Path != "/v1/peer/relay-claim" || json.NewDecoder(r.Body).Decode(&body) != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			mu.Lock()
			asked[name] = body
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		})
	}
	signer, outside := httptest.NewServer(handler("signer")), httptest.NewServer(handler("outside"))
	defer signer.Close()
	defer outside.Close()
	key, _ := crypto.GenerateKey()
	self, peer := crypto.PubkeyToAddress(key.PublicKey), common.Address{0x02}
	now := time.Unix(1_700_000_000, 0)
	d := verdict.Domain{ChainID: 31337, Registry: common.Address{0x77}}
	s := &Service{cfg: Config{Peers: []string{signer.URL, outside.URL}, OracleKey: key, Now: func() time.Time { return now }},
		http: signer.Client(), oracle: self, domain: d, log: slog.New(slog.DiscardHandler)}
	s.notePeer(peer, signer.URL)
	want := []common.Hash{{0xa}, {0xb}}
	s.announceClaim(context.Background(), []common.Address{self, peer}, []*candidate{{hash: want[0]}, {hash: want[1]}})
	s.wg.Wait()
	if _, ok := asked["signer"]; ok {
		t.Fatal("a signer of the batch was told again")
	}
	got := asked["outside"]
	if len(got.VerdictHashes) != 2 || common.HexToHash(got.VerdictHashes[0]) != want[0] || common.HexToHash(got.VerdictHashes[1]) != want[1] || got.Claim == nil {
		t.Fatalf("peer outside the batch told %+v, want the batch's two verdicts in order with a claim", got)
	}
	signed, err := verdict.Recover(verdict.RelayClaimDigest(d, want, got.Claim.Expires), got.Claim.Signature)
	if err != nil || signed != self || got.Claim.Signer != self || got.Claim.Expires != uint64(now.Add(claimHold).Unix()) {
		t.Fatalf("claim %+v recovers to %s (%v), want this node's, expiring claimHold from now", got.Claim, signed, err)
	}
}

// TestRelayClaimHoldBoundedUnderFlood: a configured peer that fills the claims map
// with claims of other hashes (so that its expired entries are dropped) and then
// claims a verdict again must not hold that verdict back a second time: a verdict
// this node holds waits for claims at most claimHold in all, whatever the map
// forgot.
func TestRelayClaimHoldBoundedUnderFlood(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	self := common.Address{0x01}
	s := &Service{cfg: Config{Now: func() time.Time { return now }, RelayDelay: time.Second}, oracle: self,
		quorum: map[common.Hash]*quorumState{}}
	first := []verdict.Signature{{Signer: self}, {Signer: common.Address{0x02}}}
	h := common.Hash{0xa}
	q := s.quorumOf(h)
	junk := func(round int) []common.Hash {
		hs := make([]common.Hash, maxClaims)
		for i := range hs {
			hs[i] = common.BigToHash(big.NewInt(int64(round*maxClaims + i + 1000)))
		}
		return hs
	}
	mustClaim(t, s, []common.Hash{h}, now.Add(claimHold))
	if s.relaysNow(h, q, first) {
		t.Fatal("a claimed verdict is relayed at once")
	}
	for round := range 3 {
		now = now.Add(claimHold)
		// The peer fills the map, so that the next claim drops the expired entries
		// (h's among them), and claims h afresh.
		mustClaim(t, s, junk(round), now.Add(claimHold))
		now = now.Add(claimHold)
		mustClaim(t, s, []common.Hash{h}, now.Add(claimHold))
		if !s.relaysNow(h, q, first) {
			t.Fatalf("round %d: verdict held back again by a renewed claim after its claimHold (a peer can hold it for ever)", round)
		}
		if got := s.unclaimed([]*candidate{{hash: h}}); len(got) != 1 {
			t.Fatalf("round %d: batch publisher still leaves the verdict to the claimer", round)
		}
	}
}
