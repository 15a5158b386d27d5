package agent_test

// These tests run a real oracle node in process (package devnet: the simulated
// chain, the deployed TeeRegistry, the devnet policy and the service with its HTTP
// API) and agents whose evidence comes from go-sev-guest's fake sev-guest device and
// the devnet's TDX quote provider, signed under devnet-only roots.

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/devnet"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func startDevnet(t *testing.T) (*devnet.Devnet, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	t.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := devnet.Start(ctx, devnet.Options{Logger: log, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close devnet: %v", err)
		}
	})
	return d, ctx
}

func machine(t *testing.T, d *devnet.Devnet, tee evidence.TEE) *devnet.Machine {
	t.Helper()
	for _, m := range d.Machines {
		if m.TEE == tee {
			return m
		}
	}
	t.Fatalf("no %s machine", tee)
	return nil
}

func newAgent(t *testing.T, cfg agent.Config) *agent.Agent {
	t.Helper()
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestChallengeBoundEvidenceAccepted(t *testing.T) {
	d, ctx := startDevnet(t)
	for _, tee := range []evidence.TEE{evidence.TEESEVSNP, evidence.TEETDX} {
		t.Run(tee.String(), func(t *testing.T) {
			m := machine(t, d, tee)
			cfg, err := d.AgentConfig(m)
			if err != nil {
				t.Fatal(err)
			}
			a := newAgent(t, cfg)
			r, err := a.Attest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			v := r.Verdict
			if !r.Trusted || v.Status != verdict.StatusTrusted || v.TEE != uint8(tee) || v.TEEKey != a.Address() ||
				v.MachineID != m.ID || v.WorkloadID != m.WorkloadID || v.PolicyHash != d.PolicyHash ||
				v.AnchorBlockNumber != r.Challenge.AnchorBlockNumber {
				t.Fatalf("round %+v", r)
			}
			if v.ExpiresAt-v.IssuedAt != d.Policy.ValiditySeconds {
				t.Errorf("validity %d, want %d", v.ExpiresAt-v.IssuedAt, d.Policy.ValiditySeconds)
			}
			if ok, err := d.Registry.IsTrusted(ctx, m.ID); err != nil || !ok {
				t.Errorf("isTrusted %v, %v", ok, err)
			}
			if ok, err := d.Registry.IsTrustedKey(ctx, a.Address()); err != nil || !ok {
				t.Errorf("isTrustedKey %v, %v", ok, err)
			}
			// Re-attestation with a fresh challenge replaces the verdict.
			r2, err := a.Attest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r2.Verdict.IssuedAt <= v.IssuedAt || r2.VerdictHash == r.VerdictHash {
				t.Errorf("re-attestation issued at %d after %d", r2.Verdict.IssuedAt, v.IssuedAt)
			}
			rec, err := d.Registry.Machine(ctx, m.ID)
			if err != nil || rec.IssuedAt != r2.Verdict.IssuedAt || rec.TEEKey != a.Address() {
				t.Errorf("registry record %+v, %v", rec, err)
			}
		})
	}
}

// misbound obtains evidence bound to something other than what the agent was
// challenged for: it ignores the report data the agent asks for and binds edit(b)
// instead, where b is the challenge's binding.
type misbound struct {
	inner agent.EvidenceSource
	ch    func() verdict.Binding
	edit  func(*verdict.Binding)
}

func (s misbound) TEE() evidence.TEE { return s.inner.TEE() }

func (s misbound) Evidence(ctx context.Context, _ [64]byte) (*evidence.Evidence, error) {
	b := s.ch()
	s.edit(&b)
	return s.inner.Evidence(ctx, b.ReportData())
}

// recordingOracle remembers the last challenge.
type recordingOracle struct {
	agent.Oracle
	last atomic.Pointer[verdict.Binding]
}

func (o *recordingOracle) binding() verdict.Binding { return *o.last.Load() }

func (o *recordingOracle) Challenge(ctx context.Context, m common.Hash, k common.Address) (*api.Challenge, error) {
	ch, err := o.Oracle.Challenge(ctx, m, k)
	if err == nil {
		o.last.Store(&verdict.Binding{ChainID: ch.ChainID, Registry: ch.Registry, MachineID: ch.MachineID, TEEKey: ch.TEEKey,
			AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash})
	}
	return ch, err
}

func TestMisboundEvidenceRejected(t *testing.T) {
	d, ctx := startDevnet(t)
	snp := machine(t, d, evidence.TEESEVSNP)
	tdx := machine(t, d, evidence.TEETDX)
	otherKey, _ := crypto.GenerateKey()
	cases := []struct {
		name string
		m    *devnet.Machine
		edit func(*verdict.Binding)
	}{
		{"another challenge (older anchor)", snp, func(b *verdict.Binding) {
			b.AnchorBlockNumber--
			h, err := d.Chain.Client.HeaderByNumber(ctx, new(big.Int).SetUint64(b.AnchorBlockNumber))
			if err != nil {
				t.Fatal(err)
			}
			b.AnchorBlockHash = h.Hash()
		}},
		{"another machine", snp, func(b *verdict.Binding) { b.MachineID = tdx.ID }},
		{"another chain", tdx, func(b *verdict.Binding) { b.ChainID++ }},
		{"another registry", tdx, func(b *verdict.Binding) { b.Registry = d.Consumer.Address() }},
		{"another key", snp, func(b *verdict.Binding) { b.TEEKey = crypto.PubkeyToAddress(otherKey.PublicKey) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := d.AgentConfig(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			ro := &recordingOracle{Oracle: cfg.Oracle}
			cfg.Oracle = ro
			cfg.Source = misbound{inner: cfg.Source, ch: ro.binding, edit: tc.edit}
			// The node refuses the submission outright (nothing stored, nothing
			// appraised): the evidence's report data is not the binding it names.
			_, err = newAgent(t, cfg).Attest(ctx)
			var he *agent.HTTPError
			if !errors.As(err, &he) || he.Status != http.StatusUnprocessableEntity || he.Field != "body" ||
				!strings.Contains(he.Message, "report data") {
				t.Fatalf("err %v, want HTTP 422 on the body's report data", err)
			}
			rec, err := d.Registry.Machine(ctx, tc.m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != 0 {
				t.Errorf("registry holds a verdict (status %d) for misbound evidence", rec.Status)
			}
		})
	}
}

// flakyOracle is the node's API behind a switch: while down, every call fails as a
// refused connection would.
type flakyOracle struct {
	agent.Oracle
	down  atomic.Bool
	calls atomic.Int32
	// third, when set, is closed by the third call.
	third chan struct{}
}

var errDown = errors.New("connect: connection refused")

func (o *flakyOracle) Challenge(ctx context.Context, m common.Hash, k common.Address) (*api.Challenge, error) {
	if o.calls.Add(1) == 3 && o.third != nil {
		close(o.third)
	}
	if o.down.Load() {
		return nil, errDown
	}
	return o.Oracle.Challenge(ctx, m, k)
}

func TestAgentSurvivesOracleDown(t *testing.T) {
	d, ctx := startDevnet(t)
	m := machine(t, d, evidence.TEETDX)
	cfg, err := d.AgentConfig(m)
	if err != nil {
		t.Fatal(err)
	}
	// The node really stops: its API port closes and the agent's HTTP calls fail.
	if err := d.StopNode(ctx); err != nil {
		t.Fatal(err)
	}
	cfg.Backoff = agent.Backoff{Initial: 50 * time.Millisecond, Max: 400 * time.Millisecond}
	counting := &flakyOracle{Oracle: cfg.Oracle, third: make(chan struct{})}
	cfg.Oracle = counting
	a := newAgent(t, cfg)
	type result struct {
		r   *agent.Round
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := a.AttestUntilDone(ctx)
		done <- result{r, err}
	}()
	// The agent's third try, all while the node is down: the round has not ended.
	select {
	case <-counting.third:
	case res := <-done:
		t.Fatalf("round finished while the node was down: %+v %v", res.r, res.err)
	case <-time.After(10 * time.Second):
		t.Fatalf("agent tried %d times in 10 s while the node was down", counting.calls.Load())
	}
	select {
	case res := <-done:
		t.Fatalf("round finished while the node was down: %+v %v", res.r, res.err)
	default:
	}
	if err := d.StartNode(ctx); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if !res.r.Trusted || res.r.Attempts < 3 {
		t.Errorf("trusted %v after %d attempts", res.r.Trusted, res.r.Attempts)
	}
	if ok, err := d.Registry.IsTrusted(ctx, m.ID); err != nil || !ok {
		t.Errorf("isTrusted %v, %v", ok, err)
	}
	// A bounded wait while the oracle stays down ends with the context's error.
	counting.down.Store(true)
	sctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := a.AttestUntilDone(sctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want deadline exceeded", err)
	}
}
