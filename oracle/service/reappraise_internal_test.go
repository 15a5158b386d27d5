package service

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

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
	s := &Service{cfg: Config{ReappraiseEpoch: epoch, Now: time.Now}, rpc: headRPC{time: now}, st: st,
		machines: map[common.Hash]MachineRecord{id: rec}, log: slog.New(slog.NewTextHandler(&logs, nil))}
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
