package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func openTest(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func machine(i int) common.Hash { return crypto.Keccak256Hash([]byte(fmt.Sprintf("machine-%d", i))) }

func verdictFor(id string, m common.Hash, issued uint64) Verdict {
	body := []byte(fmt.Sprintf(`{"machine":%q,"sub":%q,"issued":%d}`, m.Hex(), id, issued))
	return Verdict{Hash: crypto.Keccak256Hash(body), MachineID: m, IssuedAt: issued, Body: body}
}

// signedTx returns a real signed transaction's bytes and hash, as the transaction
// manager journals them.
func signedTx(t testing.TB, nonce uint64, tip int64) ([]byte, common.Hash) {
	t.Helper()
	key, _ := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	to := common.HexToAddress("0x1111111111111111111111111111111111111111")
	tx := types.MustSignNewTx(key, types.LatestSignerForChainID(big.NewInt(1337)), &types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Nonce: nonce, GasTipCap: big.NewInt(tip), GasFeeCap: big.NewInt(tip * 3),
		Gas: 21000, To: &to, Value: big.NewInt(1)})
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return raw, tx.Hash()
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.PutSubmission(NewSubmission{MachineID: machine(1), Format: "bundle"}, []byte("evidence-1"))
	if err != nil {
		t.Fatal(err)
	}
	v := verdictFor(sub.ID, machine(1), 100)
	if _, err := s.RecordVerdict(sub.ID, v); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(sub.ID, StateSigned, ""); err != nil {
		t.Fatal(err)
	}
	signer := common.HexToAddress("0x2222222222222222222222222222222222222222")
	sig := bytes.Repeat([]byte{7}, 65)
	if err := s.PutSignature(v.Hash, signer, sig); err != nil {
		t.Fatal(err)
	}
	ch, err := s.PutCollateral([]byte("crl-bytes"))
	if err != nil {
		t.Fatal(err)
	}
	ph, err := s.PutPolicy([]byte("policy: yes"))
	if err != nil {
		t.Fatal(err)
	}
	raw, txh := signedTx(t, 0, 1e9)
	from := common.HexToAddress("0x3333333333333333333333333333333333333333")
	if err := s.RecordAttempt(from, 0, txh, raw, []common.Hash{v.Hash}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta("last-block", []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := s.Submission(sub.ID); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: got %v, want ErrClosed", err)
	}

	s = openTest(t, path)
	got, err := s.Submission(sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateSubmitted || got.VerdictHash != v.Hash || got.TxNonce == nil || *got.TxNonce != 0 || got.TxFrom != from {
		t.Fatalf("submission after reopen: %+v", got)
	}
	if len(got.History) != 4 {
		t.Fatalf("history %+v, want 4 entries", got.History)
	}
	if ev, err := s.Evidence(sub.EvidenceHash); err != nil || string(ev) != "evidence-1" {
		t.Fatalf("evidence: %q %v", ev, err)
	}
	if c, err := s.Collateral(ch); err != nil || string(c) != "crl-bytes" {
		t.Fatalf("collateral: %q %v", c, err)
	}
	if p, err := s.Policy(ph); err != nil || string(p) != "policy: yes" {
		t.Fatalf("policy: %q %v", p, err)
	}
	if lv, err := s.LatestVerdict(machine(1)); err != nil || lv.Hash != v.Hash {
		t.Fatalf("latest verdict: %v %v", lv.Hash, err)
	}
	sigs, err := s.Signatures(v.Hash)
	if err != nil || !bytes.Equal(sigs[signer], sig) || len(sigs) != 1 {
		t.Fatalf("signatures: %v %v", sigs, err)
	}
	var pending int
	err = s.PendingAttempts(from, func(nonce uint64, refs []common.Hash, raws [][]byte) error {
		pending++
		if nonce != 0 || len(refs) != 1 || refs[0] != v.Hash || len(raws) != 1 || !bytes.Equal(raws[0], raw) {
			t.Errorf("pending: nonce %d refs %v raws %d", nonce, refs, len(raws))
		}
		return nil
	})
	if err != nil || pending != 1 {
		t.Fatalf("pending attempts: %d %v", pending, err)
	}
	if m, err := s.Meta("last-block"); err != nil || !bytes.Equal(m, []byte{1, 2}) {
		t.Fatalf("meta: %v %v", m, err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("check: %v", err)
	}
}

func TestStateMachineRejectsBadTransitions(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	// advance drives a fresh submission to state st along the happy path.
	advance := func(t *testing.T, i int, st State) Submission {
		t.Helper()
		sub, err := s.PutSubmission(NewSubmission{MachineID: machine(i)}, []byte(fmt.Sprintf("ev-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		path := []State{StateVerified, StateSigned, StateSubmitted, StateConfirmed}
		if st == StateFailed {
			sub, err = s.Transition(sub.ID, StateFailed, "bad evidence")
			if err != nil {
				t.Fatal(err)
			}
			return sub
		}
		for _, next := range path {
			if sub.State == st {
				break
			}
			if next == StateVerified {
				sub, err = s.RecordVerdict(sub.ID, verdictFor(sub.ID, machine(i), 1))
			} else {
				sub, err = s.Transition(sub.ID, next, "")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		return sub
	}
	tests := []struct {
		name    string
		from    State
		to      State
		reason  string
		wantErr error
	}{
		{"confirmed to received", StateConfirmed, StateReceived, "", ErrBadTransition},
		{"confirmed to failed", StateConfirmed, StateFailed, "late", ErrBadTransition},
		{"failed to signed", StateFailed, StateSigned, "", ErrBadTransition},
		{"received to signed skips verify", StateReceived, StateSigned, "", ErrBadTransition},
		{"received to confirmed", StateReceived, StateConfirmed, "", ErrBadTransition},
		{"signed back to received", StateSigned, StateReceived, "", ErrBadTransition},
		{"submitted to verified", StateSubmitted, StateVerified, "", ErrInvalid},
		{"fail without reason", StateReceived, StateFailed, "", ErrInvalid},
		{"unknown state", StateReceived, State("bogus"), "", ErrBadTransition},
		{"submitted back to signed", StateSubmitted, StateSigned, "dropped", nil},
		{"signed to failed", StateSigned, StateFailed, "no quorum", nil},
		{"signed to confirmed by another relayer", StateSigned, StateConfirmed, "published by a peer", nil},
		{"verified to confirmed by another relayer", StateVerified, StateConfirmed, "published by a peer", nil},
		{"verified to submitted skips signing", StateVerified, StateSubmitted, "", ErrBadTransition},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub := advance(t, i, tc.from)
			_, err := s.Transition(sub.ID, tc.to, tc.reason)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			after, err2 := s.Submission(sub.ID)
			if err2 != nil {
				t.Fatal(err2)
			}
			if tc.wantErr != nil && after.State != tc.from {
				t.Fatalf("rejected transition changed state to %s", after.State)
			}
		})
	}
	// A verdict cannot be recorded twice for the same submission.
	sub := advance(t, 100, StateVerified)
	if _, err := s.RecordVerdict(sub.ID, verdictFor(sub.ID, machine(100), 2)); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("second verdict: %v", err)
	}
	if _, err := s.Transition("no-such-id", StateSigned, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestPutSubmissionIdempotentAndConflicts(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	a, err := s.PutSubmission(NewSubmission{ID: "abc", MachineID: machine(1)}, []byte("ev"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.PutSubmission(NewSubmission{ID: "abc", MachineID: machine(1)}, []byte("ev"))
	if err != nil || b.ID != a.ID || !b.ReceivedAt.Equal(a.ReceivedAt) {
		t.Fatalf("retry: %+v %v", b, err)
	}
	if _, err := s.PutSubmission(NewSubmission{ID: "abc", MachineID: machine(1)}, []byte("other")); !errors.Is(err, ErrExists) {
		t.Fatalf("conflicting id: %v", err)
	}
	if _, err := s.PutSubmission(NewSubmission{MachineID: machine(1)}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty evidence: %v", err)
	}
	// A hash function that refuses the evidence (e.g. it does not decode) stops the put.
	path := filepath.Join(t.TempDir(), "strict.db")
	errUndecodable := errors.New("undecodable")
	strict, err := Open(path, Options{EvidenceHash: func(b []byte) (common.Hash, error) {
		if !bytes.HasPrefix(b, []byte("{")) {
			return common.Hash{}, errUndecodable
		}
		return sha256.Sum256(b), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	if _, err := strict.PutSubmission(NewSubmission{MachineID: machine(1)}, []byte("junk")); !errors.Is(err, errUndecodable) {
		t.Fatalf("undecodable evidence: %v", err)
	}
}

func TestArchive(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	data := []byte("tcb info json")
	h1, err := s.PutCollateral(data)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s.PutCollateral(data)
	if err != nil || h1 != h2 || h1 != common.Hash(sha256.Sum256(data)) {
		t.Fatalf("idempotent put: %s %s %v", h1, h2, err)
	}
	if err := s.VerifyHash("collateral", h1, data); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyHash("collateral", h1, []byte("tampered")); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("tampered: %v", err)
	}
	if err := s.VerifyHash("nonsense", h1, data); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, err := s.Evidence(h1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong archive: %v", err)
	}
	if _, err := s.PutPolicy(nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty policy: %v", err)
	}
	// Damage the stored bytes behind the store's back: reads must not serve them.
	if err := s.db.Update(func(tx *boltTx) error { return tx.Bucket(bktCollateral).Put(h1[:], []byte("evil")) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Collateral(h1); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged read: %v", err)
	}
	if err := s.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("check of damaged file: %v", err)
	}
}

func TestVerdictsAndSignatures(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	m := machine(7)
	newer, older := verdictFor("a", m, 200), verdictFor("b", m, 100)
	for _, v := range []Verdict{newer, older} {
		if err := s.PutVerdict(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutVerdict(newer); err != nil {
		t.Fatalf("same verdict again: %v", err)
	}
	clash := newer
	clash.Body = []byte(`{"other":1}`)
	if err := s.PutVerdict(clash); !errors.Is(err, ErrExists) {
		t.Fatalf("clash: %v", err)
	}
	if lv, err := s.LatestVerdict(m); err != nil || lv.Hash != newer.Hash {
		t.Fatalf("latest = %s (%v), want the later-issued %s", lv.Hash, err, newer.Hash)
	}
	hs, err := s.MachineVerdicts(m)
	if err != nil || len(hs) != 2 || hs[0] != older.Hash || hs[1] != newer.Hash {
		t.Fatalf("history %v %v", hs, err)
	}
	if _, err := s.LatestVerdict(machine(8)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown machine: %v", err)
	}
	if err := s.PutVerdict(Verdict{Hash: common.Hash{1}, MachineID: m}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty body: %v", err)
	}
	a, b := common.Address{1}, common.Address{2}
	var told []common.Hash
	s.WatchSignatures(func(h common.Hash) { told = append(told, h) })
	first := bytes.Repeat([]byte{1}, 65)
	if err := s.PutSignature(newer.Hash, a, first); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSignature(newer.Hash, a, bytes.Repeat([]byte{9}, 65)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSignature(newer.Hash, b, bytes.Repeat([]byte{2}, 65)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSignature(newer.Hash, b, []byte{1, 2}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short signature: %v", err)
	}
	// The watcher hears of each new signature, not of one already held.
	if len(told) != 2 || told[0] != newer.Hash || told[1] != newer.Hash {
		t.Fatalf("watcher told of %v, want the two new signatures over %s", told, newer.Hash)
	}
	sigs, err := s.Signatures(newer.Hash)
	if err != nil || len(sigs) != 2 || !bytes.Equal(sigs[a], first) {
		t.Fatalf("signatures %v %v", sigs, err)
	}
	if sigs, _ := s.Signatures(older.Hash); len(sigs) != 0 {
		t.Fatalf("signatures leak across verdicts: %v", sigs)
	}
}

// A deferred submission keeps its state and place but is not claimed before its
// time; why it waits shows until the next transition; a finished one cannot wait.
func TestDefer(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2 {
		if _, err := s.PutSubmission(NewSubmission{ID: fmt.Sprintf("s%d", i), MachineID: machine(i),
			ReceivedAt: t0.Add(time.Duration(i) * time.Second)}, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Claim(StateReceived, t0, time.Minute); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Defer("s0", t0.Add(10*time.Minute), "collateral unavailable")
	if err != nil || sub.State != StateReceived || sub.Waiting != "collateral unavailable" {
		t.Fatalf("Defer = %+v, %v", sub, err)
	}
	// Past s0's claim lease but before its deferral, only s1 is claimable.
	if sub, err := s.Claim(StateReceived, t0.Add(5*time.Minute), time.Minute); err != nil || sub.ID != "s1" {
		t.Fatalf("claim during deferral = %v, %v; want s1", sub.ID, err)
	}
	if _, err := s.Claim(StateReceived, t0.Add(5*time.Minute), time.Minute); !errors.Is(err, ErrNoWork) {
		t.Fatalf("second claim during deferral = %v, want ErrNoWork", err)
	}
	sub, err = s.Claim(StateReceived, t0.Add(10*time.Minute), time.Minute)
	if err != nil || sub.ID != "s0" {
		t.Fatalf("claim after deferral = %v, %v; want s0", sub.ID, err)
	}
	if got, _ := s.Submission("s0"); got.Waiting != "collateral unavailable" {
		t.Fatalf("Waiting after reclaim = %q", got.Waiting)
	}
	if sub, err = s.RecordVerdict("s0", verdictFor("s0", machine(0), 1)); err != nil || sub.Waiting != "" {
		t.Fatalf("RecordVerdict = %+v, %v; want Waiting cleared", sub, err)
	}
	if _, err := s.Transition("s1", StateFailed, "bad"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Defer("s1", t0, "x"); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("Defer of a failed submission = %v, want ErrBadTransition", err)
	}
	if _, err := s.Defer("nope", t0, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Defer of an unknown submission = %v, want ErrNotFound", err)
	}
}

func TestClaimLeases(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if _, err := s.PutSubmission(NewSubmission{ID: fmt.Sprintf("s%d", i), MachineID: machine(i),
			ReceivedAt: t0.Add(time.Duration(i) * time.Second)}, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for range 3 {
		sub, err := s.Claim(StateReceived, t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, sub.ID)
	}
	if fmt.Sprint(got) != "[s0 s1 s2]" {
		t.Fatalf("claim order %v, want oldest first", got)
	}
	if _, err := s.Claim(StateReceived, t0.Add(30*time.Second), time.Minute); !errors.Is(err, ErrNoWork) {
		t.Fatalf("all leased: %v", err)
	}
	// The worker holding s1 finishes it; s0's worker died: its lease expires.
	if _, err := s.RecordVerdict("s1", verdictFor("s1", machine(1), 1)); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Claim(StateReceived, t0.Add(2*time.Minute), time.Minute)
	if err != nil || sub.ID != "s0" {
		t.Fatalf("reclaim after lease: %v %v", sub.ID, err)
	}
	// After a restart, leases of the previous run are cleared.
	if err := s.ResetLeases(); err != nil {
		t.Fatal(err)
	}
	if sub, err := s.Claim(StateReceived, t0.Add(2*time.Minute), time.Minute); err != nil || sub.ID != "s0" {
		t.Fatalf("claim after ResetLeases: %v %v", sub.ID, err)
	}
	if sub, err := s.Claim(StateVerified, t0, time.Minute); err != nil || sub.ID != "s1" {
		t.Fatalf("claim verified: %v %v", sub.ID, err)
	}
	if _, err := s.Claim(StateConfirmed, t0, time.Minute); !errors.Is(err, ErrInvalid) {
		t.Fatalf("claim terminal: %v", err)
	}
	var unfinished []string
	if err := s.Unfinished(func(sub Submission) error { unfinished = append(unfinished, sub.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(unfinished) != "[s0 s2 s1]" {
		t.Fatalf("unfinished %v", unfinished)
	}
}

func TestJournalMovesCarriedSubmissions(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	from := common.HexToAddress("0x4444444444444444444444444444444444444444")
	mk := func(id string) Verdict {
		sub, err := s.PutSubmission(NewSubmission{ID: id, MachineID: machine(len(id))}, []byte(id))
		if err != nil {
			t.Fatal(err)
		}
		v := verdictFor(sub.ID, sub.MachineID, 1)
		if _, err := s.RecordVerdict(id, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(id, StateSigned, ""); err != nil {
			t.Fatal(err)
		}
		return v
	}
	va, vb := mk("a"), mk("bb")
	state := func(id string) State {
		sub, err := s.Submission(id)
		if err != nil {
			t.Fatal(err)
		}
		return sub.State
	}
	raw0, h0 := signedTx(t, 0, 1e9)
	if err := s.RecordAttempt(from, 0, h0, raw0[1:], nil); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("bad raw: %v", err)
	}
	if err := s.RecordAttempt(from, 0, h0, raw0, []common.Hash{va.Hash, vb.Hash}); err != nil {
		t.Fatal(err)
	}
	if state("a") != StateSubmitted || state("bb") != StateSubmitted {
		t.Fatal("batched submissions not submitted")
	}
	raw0b, h0b := signedTx(t, 0, 2e9) // fee bump
	if err := s.RecordAttempt(from, 0, h0b, raw0b, []common.Hash{va.Hash}); !errors.Is(err, ErrExists) {
		t.Fatalf("bump with other refs: %v", err)
	}
	if err := s.RecordAttempt(from, 0, h0b, raw0b, []common.Hash{va.Hash, vb.Hash}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConfirmed(from, 0, common.Hash{9}, 5, true); !errors.Is(err, ErrInvalid) {
		t.Fatalf("confirm unknown attempt: %v", err)
	}
	// Dropped: the work goes back to signed, then a new nonce carries it.
	if err := s.MarkDropped(from, 0, "nonce taken"); err != nil {
		t.Fatal(err)
	}
	if state("a") != StateSigned {
		t.Fatalf("after drop: %s", state("a"))
	}
	if err := s.MarkConfirmed(from, 0, h0b, 5, true); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("confirm dropped: %v", err)
	}
	raw1, h1 := signedTx(t, 1, 1e9)
	if err := s.RecordAttempt(from, 1, h1, raw1, []common.Hash{va.Hash, vb.Hash}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConfirmed(from, 1, h1, 6, true); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConfirmed(from, 1, h1, 6, true); err != nil {
		t.Fatalf("repeat confirm: %v", err)
	}
	if state("a") != StateConfirmed || state("bb") != StateConfirmed {
		t.Fatal("not confirmed")
	}
	// Mined verdicts are never journaled into another transaction.
	raw5, h5 := signedTx(t, 5, 1e9)
	if err := s.RecordAttempt(from, 5, h5, raw5, []common.Hash{vb.Hash}); !errors.Is(err, ErrAlreadyPublished) {
		t.Fatalf("republishing a mined verdict: %v", err)
	}
	if _, err := s.Tx(from, 5); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused attempt was journaled: %v", err)
	}
	if err := s.MarkDropped(from, 1, "late"); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("drop confirmed: %v", err)
	}
	// A reverted transaction fails what it carried.
	vc := mk("ccc")
	raw2, h2 := signedTx(t, 2, 1e9)
	if err := s.RecordAttempt(from, 2, h2, raw2, []common.Hash{vc.Hash}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConfirmed(from, 2, h2, 7, false); err != nil {
		t.Fatal(err)
	}
	if sub, _ := s.Submission("ccc"); sub.State != StateFailed || sub.Reason == "" {
		t.Fatalf("reverted: %+v", sub)
	}
	// A reverted transaction published nothing: its verdict may go out again.
	raw3, h3 := signedTx(t, 3, 1e9)
	if err := s.RecordAttempt(from, 3, h3, raw3, []common.Hash{vc.Hash}); err != nil {
		t.Fatalf("verdict of a reverted tx: %v", err)
	}
	if err := s.MarkDropped(from, 3, "test"); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.PendingAttempts(from, func(uint64, []common.Hash, [][]byte) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("pending left: %d %v", n, err)
	}
	// A chain reset reuses nonce 0: the old record goes to history, a new one starts.
	if err := s.RecordAttempt(from, 0, h0, raw0, nil); err != nil {
		t.Fatal(err)
	}
	if tx, err := s.Tx(from, 0); err != nil || tx.State != TxPending || len(tx.Attempts) != 1 {
		t.Fatalf("reused nonce: %+v %v", tx, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				sub, err := s.PutSubmission(NewSubmission{MachineID: machine(w)}, []byte(fmt.Sprintf("w%d-%d", w, i)))
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.RecordVerdict(sub.ID, verdictFor(sub.ID, machine(w), uint64(i))); err != nil {
					errs <- err
					return
				}
				if _, err := s.PutCollateral([]byte("shared collateral")); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	// Claimers race the writers; each submission must be claimed at most once.
	claimed := sync.Map{}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			now := time.Now()
			for range workers * each {
				sub, err := s.Claim(StateVerified, now, time.Hour)
				if errors.Is(err, ErrNoWork) {
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				if _, dup := claimed.LoadOrStore(sub.ID, true); dup {
					errs <- fmt.Errorf("submission %s claimed twice", sub.ID)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	if err := s.Unfinished(func(sub Submission) error {
		if sub.State != StateVerified {
			return fmt.Errorf("%s in %s", sub.ID, sub.State)
		}
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != workers*each {
		t.Fatalf("%d submissions, want %d", n, workers*each)
	}
	for w := range workers {
		if lv, err := s.LatestVerdict(machine(w)); err != nil || lv.IssuedAt != each-1 {
			t.Fatalf("machine %d latest: %+v %v", w, lv.IssuedAt, err)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty path: %v", err)
	}
	path := filepath.Join(t.TempDir(), "node.db")
	s := openTest(t, path)
	_ = s
	// A second open of a held file times out on the lock instead of sharing it, and
	// says the file is in use rather than "timeout".
	if _, err := Open(path, Options{LockTimeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open of a locked file: %v, want ErrLocked", err)
	}
}

// Metadata given with a submission is committed with it: present after a reopen
// when the put succeeded, absent when the put was refused, and not overwritten by a
// retried put.
func TestPutSubmissionWritesMetaInTheSameCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s := openTest(t, path)
	meta := map[string][]byte{"sub/m1": []byte(`{"anchor_block":7}`), "ev/m1": []byte("m1")}
	if _, err := s.PutSubmission(NewSubmission{ID: "m1", MachineID: machine(1), Meta: meta}, []byte("ev-m1")); err != nil {
		t.Fatal(err)
	}
	// A retry with other metadata returns the submission and keeps the first values.
	if _, err := s.PutSubmission(NewSubmission{ID: "m1", MachineID: machine(1),
		Meta: map[string][]byte{"sub/m1": []byte("changed")}}, []byte("ev-m1")); err != nil {
		t.Fatal(err)
	}
	// A refused put (id taken by other evidence) writes none of its metadata.
	if _, err := s.PutSubmission(NewSubmission{ID: "m1", MachineID: machine(1),
		Meta: map[string][]byte{"ev/other": []byte("m1")}}, []byte("other evidence")); !errors.Is(err, ErrExists) {
		t.Fatalf("conflicting put: %v, want ErrExists", err)
	}
	if _, err := s.PutSubmission(NewSubmission{ID: "m2", MachineID: machine(1),
		Meta: map[string][]byte{"": []byte("x")}}, []byte("ev-m2")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty meta key: %v, want ErrInvalid", err)
	}
	if _, err := s.Submission("m2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("submission with an invalid meta key was stored: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path)
	for k, want := range meta {
		got, err := s.Meta(k)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("meta %q after reopen: %q %v, want %q", k, got, err, want)
		}
	}
	if _, err := s.Meta("ev/other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("meta of a refused put: %v, want ErrNotFound", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// RecordDecision writes the verdict, collateral, metadata and signature and moves
// the submission through verified to signed (or failed) in one commit; refused
// calls write nothing.
func TestRecordDecision(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s := openTest(t, path)
	signer := common.HexToAddress("0x00000000000000000000000000000000000000a1")
	sig := bytes.Repeat([]byte{7}, 65)
	put := func(id string) {
		t.Helper()
		if _, err := s.PutSubmission(NewSubmission{ID: id, MachineID: machine(1)}, []byte("ev-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	verdictOf := func(id string, at uint64) Verdict {
		body := []byte(fmt.Sprintf(`{"sub":%q}`, id))
		return Verdict{Hash: sha256.Sum256(body), MachineID: machine(1), IssuedAt: at, Body: body}
	}
	put("signed")
	put("failed")
	put("refused")
	coll := []byte("a CRL")
	ch, err := s.HashCollateral(coll)
	if err != nil {
		t.Fatal(err)
	}
	vs := verdictOf("signed", 10)
	var told []common.Hash
	s.WatchSignatures(func(h common.Hash) { told = append(told, h) })
	sub, err := s.RecordDecision("signed", Decision{Verdict: vs, Collateral: [][]byte{coll},
		Meta: map[string][]byte{"audit/signed": []byte("record")}, Signer: signer, Signature: sig})
	if err != nil {
		t.Fatal(err)
	}
	if sub.State != StateSigned || sub.VerdictHash != vs.Hash || len(sub.History) != 3 ||
		sub.History[1].State != StateVerified || sub.History[2].State != StateSigned {
		t.Fatalf("signed decision: state %s verdict %s history %+v", sub.State, sub.VerdictHash, sub.History)
	}
	vf := verdictOf("failed", 11)
	if sub, err = s.RecordDecision("failed", Decision{Verdict: vf, FailReason: "not published"}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || told[0] != vs.Hash {
		t.Fatalf("signature watcher told of %v, want only the signed decision's verdict %s", told, vs.Hash)
	}
	if sub.State != StateFailed || sub.Reason != "not published" || sub.VerdictHash != vf.Hash {
		t.Fatalf("failed decision: %+v", sub)
	}
	// Refused: a signature and a failure at once; a short signature; a submission
	// past received. None of them writes anything.
	vr := verdictOf("refused", 12)
	other := []byte("other collateral")
	oh, _ := s.HashCollateral(other)
	for name, c := range map[string]struct {
		id   string
		d    Decision
		want error
	}{
		"signature and failure": {"refused", Decision{Verdict: vr, Collateral: [][]byte{other}, Signer: signer, Signature: sig, FailReason: "x"}, ErrInvalid},
		"short signature":       {"refused", Decision{Verdict: vr, Collateral: [][]byte{other}, Signer: signer, Signature: sig[:64]}, ErrInvalid},
		"empty collateral":      {"refused", Decision{Verdict: vr, Collateral: [][]byte{nil}}, ErrInvalid},
		"already decided":       {"signed", Decision{Verdict: vr, Collateral: [][]byte{other}, Meta: map[string][]byte{"audit/x": {1}}}, ErrBadTransition},
	} {
		if _, err := s.RecordDecision(c.id, c.d); !errors.Is(err, c.want) {
			t.Fatalf("%s: %v, want %v", name, err, c.want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path)
	if got, err := s.Collateral(ch); err != nil || !bytes.Equal(got, coll) {
		t.Fatalf("collateral after reopen: %q %v", got, err)
	}
	if got, err := s.Meta("audit/signed"); err != nil || string(got) != "record" {
		t.Fatalf("meta after reopen: %q %v", got, err)
	}
	if sigs, err := s.Signatures(vs.Hash); err != nil || !bytes.Equal(sigs[signer], sig) {
		t.Fatalf("signature after reopen: %v %v", sigs, err)
	}
	if v, err := s.Verdict(vf.Hash); err != nil || v.IssuedAt != 11 {
		t.Fatalf("failed submission's verdict: %+v %v", v, err)
	}
	if sub, err := s.Submission("refused"); err != nil || sub.State != StateReceived {
		t.Fatalf("refused decisions changed the submission: %+v %v", sub, err)
	}
	if _, err := s.Verdict(vr.Hash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused decision stored its verdict: %v", err)
	}
	if _, err := s.Collateral(oh); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused decision archived collateral: %v", err)
	}
	if _, err := s.Meta("audit/x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused decision wrote metadata: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// A confirmed transaction that skipped one of its verdicts fails that verdict's
// submission and releases the verdict (it is carried by nothing), while the applied
// one is confirmed and stays carried.
func TestJournalSkippedVerdictIsReleased(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	from := common.HexToAddress("0x5555555555555555555555555555555555555555")
	mk := func(id string) Verdict {
		sub, err := s.PutSubmission(NewSubmission{ID: id, MachineID: machine(len(id))}, []byte(id))
		if err != nil {
			t.Fatal(err)
		}
		v := verdictFor(sub.ID, sub.MachineID, 1)
		if _, err := s.RecordVerdict(id, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(id, StateSigned, ""); err != nil {
			t.Fatal(err)
		}
		return v
	}
	va, vb := mk("a"), mk("bb")
	raw, h := signedTx(t, 0, 1e9)
	if err := s.RecordAttempt(from, 0, h, raw, []common.Hash{va.Hash, vb.Hash}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConfirmedOutcome(from, 0, h, 5, true, map[common.Hash]string{vb.Hash: "StaleVerdict(1, 2)"}, nil); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Submission("a")
	b, _ := s.Submission("bb")
	if a.State != StateConfirmed || b.State != StateFailed || !strings.Contains(b.Reason, "StaleVerdict") {
		t.Fatalf("after the outcome: a %s, bb %s (%s)", a.State, b.State, b.Reason)
	}
	raw1, h1 := signedTx(t, 1, 1e9)
	if err := s.RecordAttempt(from, 1, h1, raw1, []common.Hash{va.Hash}); !errors.Is(err, ErrAlreadyPublished) {
		t.Fatalf("the applied verdict: %v, want it still carried", err)
	}
	if err := s.RecordAttempt(from, 1, h1, raw1, []common.Hash{vb.Hash}); err != nil {
		t.Fatalf("the skipped verdict is still held by the transaction that skipped it: %v", err)
	}
}

// A confirmed transaction that did not try one of its verdicts for want of gas
// (retry) hands that verdict's submission back to signed, its verdict kept and the
// transaction's nonce cleared, and releases the verdict so that a later transaction
// carries it; the applied one is confirmed, the skipped one failed.
func TestJournalRetryVerdictGoesBackToSigned(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	from := common.HexToAddress("0x5555555555555555555555555555555555555555")
	mk := func(id string) Verdict {
		sub, err := s.PutSubmission(NewSubmission{ID: id, MachineID: machine(len(id))}, []byte(id))
		if err != nil {
			t.Fatal(err)
		}
		v := verdictFor(sub.ID, sub.MachineID, 1)
		if _, err := s.RecordVerdict(id, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(id, StateSigned, ""); err != nil {
			t.Fatal(err)
		}
		return v
	}
	va, vb, vc := mk("a"), mk("bb"), mk("ccc")
	raw, h := signedTx(t, 0, 1e9)
	if err := s.RecordAttempt(from, 0, h, raw, []common.Hash{va.Hash, vb.Hash, vc.Hash}); err != nil {
		t.Fatal(err)
	}
	skipped := map[common.Hash]string{vb.Hash: "StaleVerdict(1, 2)"}
	retry := map[common.Hash]string{vc.Hash: "InsufficientGasForEntry(90000, 211000)"}
	if err := s.MarkConfirmedOutcome(from, 0, h, 5, true, skipped, retry); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Submission("a")
	b, _ := s.Submission("bb")
	c, _ := s.Submission("ccc")
	if a.State != StateConfirmed || b.State != StateFailed || c.State != StateSigned {
		t.Fatalf("after the outcome: a %s, bb %s, ccc %s (%s)", a.State, b.State, c.State, c.Reason)
	}
	if c.TxNonce != nil || c.TxFrom != (common.Address{}) || !strings.Contains(c.Reason, "InsufficientGasForEntry") {
		t.Fatalf("handed-back submission: %+v", c)
	}
	if v, err := s.Verdict(vc.Hash); err != nil || v.Hash != vc.Hash {
		t.Fatalf("handed-back verdict: %+v %v", v, err)
	}
	// Idempotent: the same confirmation again changes nothing.
	if err := s.MarkConfirmedOutcome(from, 0, h, 5, true, skipped, retry); err != nil {
		t.Fatal(err)
	}
	raw1, h1 := signedTx(t, 1, 1e9)
	if err := s.RecordAttempt(from, 1, h1, raw1, []common.Hash{vc.Hash}); err != nil {
		t.Fatalf("the handed-back verdict is still held by the transaction that did not try it: %v", err)
	}
	if c, _ = s.Submission("ccc"); c.State != StateSubmitted || c.TxNonce == nil || *c.TxNonce != 1 {
		t.Fatalf("a later transaction carries the handed-back verdict: %+v", c)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestSetMetasOneCommit: SetMetas writes all its entries in one commit (Commits
// counts one), they read back after a reopen, and a batch with an empty key is
// refused with nothing written and no commit.
func TestSetMetasOneCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s := openTest(t, path)
	entries := map[string][]byte{}
	for i := range 300 {
		entries[fmt.Sprintf("reappraised/%03d", i)] = []byte{byte(i), byte(i >> 8)}
	}
	before := s.Commits()
	if err := s.SetMetas(entries); err != nil {
		t.Fatal(err)
	}
	if got := s.Commits() - before; got != 1 {
		t.Fatalf("SetMetas of %d entries made %d commits, want 1", len(entries), got)
	}
	if err := s.SetMeta("one", []byte{1}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commits() - before; got != 2 {
		t.Fatalf("SetMeta after SetMetas: %d commits in all, want 2", got)
	}
	bad := map[string][]byte{"kept-out": {1}, "": {2}}
	if err := s.SetMetas(bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("SetMetas with an empty key: %v, want ErrInvalid", err)
	}
	if got := s.Commits() - before; got != 2 {
		t.Fatalf("a refused SetMetas committed: %d commits in all, want 2", got)
	}
	if _, err := s.Meta("kept-out"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("entry of a refused SetMetas: %v, want ErrNotFound", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path)
	n := 0
	err := s.MetaPrefix("reappraised/", func(k string, v []byte) error {
		if want := entries[k]; !bytes.Equal(v, want) {
			t.Errorf("%s after reopen: %x, want %x", k, v, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(entries) {
		t.Fatalf("%d of %d entries after reopen", n, len(entries))
	}
}

// A signature stored again (a peer answering a recheck with one the node holds)
// commits nothing; a new one commits once.
func TestPutSignatureHeldCommitsNothing(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	h, signer, sig := common.Hash{1}, common.Address{2}, make([]byte, 65)
	before := s.Commits()
	if err := s.PutSignature(h, signer, sig); err != nil {
		t.Fatal(err)
	}
	if got := s.Commits() - before; got != 1 {
		t.Fatalf("a new signature made %d commits, want 1", got)
	}
	if err := s.PutSignature(h, signer, sig); err != nil {
		t.Fatal(err)
	}
	if got := s.Commits() - before; got != 1 {
		t.Fatalf("a held signature stored again made %d commits in all, want 1", got)
	}
}

// TestJournalRevertHandsBackVerdicts: a transaction that reverted for a reason
// holding nothing against its verdicts (MarkReverted with retry) hands them back
// to signed, in the commit that settles it: after a reopen they are signed, not
// carried, with their signatures, and a new nonce carries them; a repeated call
// (a restart that settles the same receipt again) changes nothing, and a revert
// without retry still fails what it carried.
func TestJournalRevertHandsBackVerdicts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s := openTest(t, path)
	from := common.HexToAddress("0x6666666666666666666666666666666666666666")
	mk := func(id string) Verdict {
		sub, err := s.PutSubmission(NewSubmission{ID: id, MachineID: machine(len(id))}, []byte(id))
		if err != nil {
			t.Fatal(err)
		}
		v := verdictFor(sub.ID, sub.MachineID, 1)
		if _, err := s.RecordVerdict(id, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(id, StateSigned, ""); err != nil {
			t.Fatal(err)
		}
		return v
	}
	va, vb := mk("a"), mk("bb")
	signer := common.HexToAddress("0x7777777777777777777777777777777777777777")
	sig := bytes.Repeat([]byte{1}, 65)
	if err := s.PutSignature(va.Hash, signer, sig); err != nil {
		t.Fatal(err)
	}
	raw, h := signedTx(t, 0, 1e9)
	if err := s.RecordAttempt(from, 0, h, raw, []common.Hash{va.Hash, vb.Hash}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkReverted(from, 0, h, 5, true, "execution reverted: RegistryPaused()"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkReverted(from, 0, h, 5, true, "execution reverted: RegistryPaused()"); err != nil {
		t.Fatalf("repeated settlement: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path)
	for _, id := range []string{"a", "bb"} {
		sub, err := s.Submission(id)
		if err != nil {
			t.Fatal(err)
		}
		if sub.State != StateSigned || sub.TxNonce != nil || sub.TxFrom != (common.Address{}) {
			t.Fatalf("%s after the revert: %s carried by %s/%v, want signed and carried by nothing", id, sub.State, sub.TxFrom, sub.TxNonce)
		}
	}
	if held, err := s.Signatures(va.Hash); err != nil || !bytes.Equal(held[signer], sig) {
		t.Fatalf("signature after the revert: %x, %v", held[signer], err)
	}
	rec, err := s.Tx(from, 0)
	if err != nil || rec.State != TxConfirmed || rec.Success || !rec.Retried || rec.Block != 5 {
		t.Fatalf("journal record: %+v, %v", rec, err)
	}
	if err := s.MarkReverted(from, 0, h, 5, false, ""); err != nil {
		t.Fatalf("settling again: %v", err)
	}
	if sub, _ := s.Submission("a"); sub.State != StateSigned {
		t.Fatalf("a settled twice: %s", sub.State)
	}
	// A new nonce carries them, and this time the revert is the transaction's own.
	raw1, h1 := signedTx(t, 1, 1e9)
	if err := s.RecordAttempt(from, 1, h1, raw1, []common.Hash{va.Hash, vb.Hash}); err != nil {
		t.Fatalf("the handed-back verdicts: %v", err)
	}
	if err := s.MarkReverted(from, 1, h1, 6, false, "execution reverted: MalformedBatch(1)"); err != nil {
		t.Fatal(err)
	}
	if sub, _ := s.Submission("bb"); sub.State != StateFailed || !strings.Contains(sub.Reason, "MalformedBatch") {
		t.Fatalf("bb after a revert without retry: %s (%s)", sub.State, sub.Reason)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}
