package devnet

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A devnet of three oracle nodes with a 2-of-3 quorum: the machines attest to the
// first node, it forwards their evidence, and the registry (which needs two
// oracles' signatures) trusts them; the other nodes hold the verdicts they signed.
func TestDevnetQuorum(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d, err := Start(ctx, Options{Logger: testLogger(t), Oracles: 3, Threshold: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if m, err := d.Registry.Threshold(ctx); err != nil || m != 2 {
		t.Fatalf("registry threshold %v, %v; want 2", m, err)
	}
	nodes := d.OracleNodes()
	if len(nodes) != 3 {
		t.Fatalf("%d oracle nodes", len(nodes))
	}
	for _, n := range nodes {
		if ok, err := d.Registry.IsOracle(ctx, n.Address); err != nil || !ok {
			t.Errorf("%s %s: isOracle %v, %v", n.Name, n.Address, ok, err)
		}
	}
	if err := d.StartAgents(ctx, true, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitAgents(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range d.Machines {
		rs := m.Rounds()
		if len(rs) != 1 || !rs[0].Trusted {
			t.Fatalf("%s: rounds %+v", m.Name, rs)
		}
		if ok, err := d.Registry.IsTrusted(ctx, m.ID); err != nil || !ok {
			t.Errorf("%s: isTrusted %v, %v", m.Name, ok, err)
		}
		signedElsewhere := 0
		for _, n := range nodes[1:] {
			resp, err := http.Get(n.APIURL + "/v1/verdicts/" + rs[0].VerdictHash.Hex())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				signedElsewhere++
			}
		}
		if signedElsewhere == 0 {
			t.Errorf("%s: no node but the first holds verdict %s", m.Name, rs[0].VerdictHash)
		}
	}
	if _, err := Start(ctx, Options{Oracles: 2, Threshold: 3}); err == nil {
		t.Error("threshold above the number of oracles accepted")
	}
}
