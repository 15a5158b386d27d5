package devnet

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startAttested starts a devnet, runs every machine's agent for one round and waits
// for them; the devnet is closed when the test ends.
func startAttested(ctx context.Context, t *testing.T) *Devnet {
	t.Helper()
	d, err := Start(ctx, Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := d.StartAgents(ctx, true, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitAgents(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDevnetMachinesAttestAndAreTrusted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	d := startAttested(ctx, t)
	for _, m := range d.Machines {
		rs := m.Rounds()
		if len(rs) != 1 || !rs[0].Trusted || rs[0].Verdict.Status != verdict.StatusTrusted {
			t.Fatalf("%s: rounds %+v", m.Name, rs)
		}
		ok, err := d.Registry.IsTrusted(ctx, m.ID)
		if err != nil || !ok {
			t.Errorf("%s: isTrusted %v, %v", m.Name, ok, err)
		}
		if okKey, err := d.Registry.IsTrustedKey(ctx, m.Agent.Address()); err != nil || !okKey {
			t.Errorf("%s: isTrustedKey %v, %v", m.Name, okKey, err)
		}
		if rs[0].Verdict.WorkloadID != m.WorkloadID {
			t.Errorf("%s: workload %s, want %s", m.Name, rs[0].Verdict.WorkloadID, m.WorkloadID)
		}
	}
	_ = agent.Round{}
}
