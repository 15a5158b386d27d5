package service

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestOnChainVerdictNotTheLatest: the verdict re-appraisal re-examines is the one
// the machine's on-chain record holds, even when the node holds a later one of its
// own for the machine (a downgrade still waiting for its quorum because a peer
// re-appraised it as of another time of the epoch). Taking the machine's latest
// verdict, as re-appraisal did, found that untrusted downgrade and stopped
// re-appraising the machine, so the two nodes never met on one downgrade.
func TestOnChainVerdictNotTheLatest(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{CommitDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	id, key, pol := common.Hash{0x11}, common.Address{0x7e}, common.Hash{0x90}
	put := func(status verdict.Status, issuedAt uint64, k common.Address, p common.Hash) common.Hash {
		v := verdict.Verdict{MachineID: id, TEE: verdict.TEESEVSNP, Status: status, TEEKey: k, PolicyHash: p,
			IssuedAt: issuedAt, ExpiresAt: issuedAt + 3600}
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		h := v.Digest(verdict.Domain{ChainID: 1, Registry: common.Address{1}})
		if err := st.PutVerdict(store.Verdict{Hash: h, MachineID: id, IssuedAt: issuedAt, Body: body}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	onChain := put(verdict.StatusTrusted, 100, key, pol)
	put(verdict.StatusTrusted, 100, common.Address{0x7f}, pol) // another key at the same time
	put(verdict.StatusTrusted, 100, key, common.Hash{0x91})    // another policy
	downgrade := put(verdict.StatusUntrusted, 200, key, pol)
	if l, err := st.LatestVerdict(id); err != nil || l.Hash != downgrade {
		t.Fatalf("latest verdict %s, %v: want the downgrade %s", l.Hash, err, downgrade)
	}
	s := &Service{st: st}
	rec := MachineRecord{State: machineRegistered, Status: uint8(verdict.StatusTrusted), TEEKey: key, PolicyHash: pol, IssuedAt: 100}
	got, v, err := s.onChainVerdict(id, rec)
	if err != nil || got == nil || got.Hash != onChain || v.IssuedAt != 100 {
		t.Fatalf("on-chain verdict %v, %v: want %s", got, err, onChain)
	}
	rec.IssuedAt = 150
	if got, _, err := s.onChainVerdict(id, rec); err != nil || got != nil {
		t.Fatalf("record issued at a time with no verdict here: %v, %v, want none", got, err)
	}
}
