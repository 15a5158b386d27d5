package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// A node (or anyone on the path to it) that drops the submission and serves a
// verdict of its own, hashing to the digest it names, is not believed beyond what
// the agent can check: the verdict must be valid (a known TEE, a non-empty
// validity within the registry's 2^32-1 s), issued no later than the agent's clock
// allows, and for this machine and key; and however long it claims to be valid,
// the next round comes within MaxInterval.
func TestAgentBoundsNodeVerdict(t *testing.T) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	machine := common.HexToHash("0x11")
	src := snpSource(t)
	base := goodChallenge(machine, addr)
	fixed := fixedEvidence(t, src, base)
	now := time.Unix(1_800_000_000, 0)
	good := verdict.Verdict{MachineID: machine, TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TEEKey: addr,
		IssuedAt: uint64(now.Unix()) - 12, ExpiresAt: uint64(now.Unix()) + 3600,
		AnchorBlockNumber: 10, AnchorBlockHash: base.AnchorBlockHash, EvidenceHash: fixed.ev.Hash()}
	d := verdict.Domain{ChainID: base.ChainID, Registry: base.Registry}
	var maxInterval time.Duration // Config.MaxInterval; zero is its default
	var logs bytes.Buffer
	attest := func(t *testing.T, v verdict.Verdict) (*Agent, *Round, error) {
		t.Helper()
		body, _ := json.Marshal(v)
		h := v.Digest(d)
		o := &stubOracle{ch: base, view: api.SubmissionView{ID: "s1", State: "confirmed", VerdictHash: &h},
			verdict: api.VerdictView{Hash: h, Verdict: body}}
		a, err := New(Config{MachineID: machine, Registry: base.Registry, ChainID: base.ChainID, Key: key, Source: fixed,
			Oracle: o, Now: func() time.Time { return now }, MaxInterval: maxInterval, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		r, err := a.Attest(t.Context())
		return a, r, err
	}
	if _, r, err := attest(t, good); err != nil || !r.Trusted {
		t.Fatalf("good verdict: %+v, %v", r, err)
	}
	// The node named no transaction (a peer published it): the log says so rather
	// than showing a zero hash.
	if l := logs.String(); !strings.Contains(l, `tx="published by a peer"`) || strings.Contains(l, "tx=0x"+strings.Repeat("0", 64)) {
		t.Errorf("round log: %s", l)
	}
	for name, spoil := range map[string]func(*verdict.Verdict){
		"unknown tee":                  func(v *verdict.Verdict) { v.TEE = 9 },
		"expires at issue":             func(v *verdict.Verdict) { v.ExpiresAt = v.IssuedAt },
		"expires before issue":         func(v *verdict.Verdict) { v.ExpiresAt = v.IssuedAt - 100 },
		"validity past the registry's": func(v *verdict.Verdict) { v.ExpiresAt = v.IssuedAt + 1<<33 },
		"issued in the future":         func(v *verdict.Verdict) { v.IssuedAt, v.ExpiresAt = v.IssuedAt+3600, v.ExpiresAt+3600 },
		"other machine":                func(v *verdict.Verdict) { v.MachineID = common.HexToHash("0x12") },
		"other key":                    func(v *verdict.Verdict) { v.TEEKey = common.HexToAddress("0x44") },
	} {
		t.Run(name, func(t *testing.T) {
			v := good
			spoil(&v)
			if _, r, err := attest(t, v); !errors.Is(err, ErrVerdict) {
				t.Errorf("round %+v, err %v; want ErrVerdict", r, err)
			}
		})
	}
	t.Run("longest validity waits at most MaxInterval", func(t *testing.T) {
		v := good
		v.ExpiresAt = v.IssuedAt + 1<<32 - 1
		a, r, err := attest(t, v)
		if err != nil {
			t.Fatal(err)
		}
		if w := a.nextWait(r); w <= 0 || w > time.Hour {
			t.Errorf("next round in %v, want within the default MaxInterval of 1h", w)
		}
	})
	t.Run("a daily MaxInterval lets a long verdict wait its fraction", func(t *testing.T) {
		v := good
		v.ExpiresAt = v.IssuedAt + 36*3600 // re-attested 24 h after its issue, 12 s ago
		maxInterval = 24 * time.Hour
		defer func() { maxInterval = 0 }()
		a, r, err := attest(t, v)
		if err != nil {
			t.Fatal(err)
		}
		if w := a.nextWait(r); w != 24*time.Hour-12*time.Second {
			t.Errorf("next round in %v, want 23h59m48s", w)
		}
	})
	t.Run("short validity waits its fraction", func(t *testing.T) {
		a, r, err := attest(t, good)
		if err != nil {
			t.Fatal(err)
		}
		// 2/3 of 3612 s after issue (12 s ago): 2396 s from now.
		if w := a.nextWait(r); w != 2396*time.Second {
			t.Errorf("next round in %v, want 2396s", w)
		}
	})
}
