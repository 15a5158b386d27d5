package service_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestE2ERestartKeepsMachines restarts a node on its database after it learnt a
// machine from the registry's events and scanned past them: the restarted node
// lists the machine as due and downgrades it when a new CRL revokes its chain,
// although it never sees those events again.
func TestE2ERestartKeepsMachines(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	good := measurement(0x11)
	pol := testPolicy(t, "restart", 600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	dir := t.TempDir()
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, dir: dir})
	a := e.newAgent(t, snp, machine)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d: %s", code, res.Error)
	}
	waitState(t, n, res.ID, 60*time.Second, "confirmed")
	due := func(n *node) []api.DueMachine {
		t.Helper()
		var d struct {
			Machines []api.DueMachine `json:"machines"`
		}
		if code := httpJSON(t, "GET", n.url+"/v1/machines/due", "", nil, &d); code != 200 {
			t.Fatalf("due: HTTP %d", code)
		}
		return d.Machines
	}
	// Due scans the registry up to the head: the machine's events are behind the
	// node's last scanned block from here on.
	if got := due(n); len(got) != 1 || got[0].MachineID != machine {
		t.Fatalf("due before restart: %+v", got)
	}
	// The trusted machine is re-appraised every epoch (1 s here): the store keeps one
	// record of the last epoch per verdict, not one per epoch.
	first, epoch, keys := int64(-1), int64(0), 0
	threeEpochs := eventually(30*time.Second, 200*time.Millisecond, func() bool {
		keys = 0
		err := n.store.MetaPrefix("reappraised/", func(_ string, v []byte) error {
			keys++
			if len(v) == 8 {
				epoch = int64(binary.BigEndian.Uint64(v))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if keys > 1 {
			t.Fatalf("%d re-appraisal records for one verdict: one per epoch", keys)
		}
		if keys == 1 && first < 0 {
			first = epoch
		}
		return keys == 1 && epoch >= first+3
	})
	if !threeEpochs {
		t.Fatalf("re-appraisal epochs: first %d, now %d (%d records) after 30 s", first, epoch, keys)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.svc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := n.store.Close(); err != nil {
		t.Fatal(err)
	}
	e.rpc(t, "anvil_mine", "0x4")

	n2 := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, dir: dir})
	if got := due(n2); len(got) != 1 || got[0].MachineID != machine {
		t.Fatalf("due after restart: %+v, want the machine learnt before it", got)
	}
	head, err := e.client.HeaderByNumber(ctxT(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	chainNow := time.Unix(int64(head.Time), 0)
	snp.crls.add(snp.crl(t, chainNow.Add(-time.Second), chainNow.AddDate(0, 1, 0), snp.signer.Ask))
	if !eventually(45*time.Second, 500*time.Millisecond, func() bool { return !e.isTrusted(t, machine) }) {
		t.Fatal("restarted node did not downgrade a machine it learnt before the restart")
	}
	if rec := e.machine(t, machine); rec.Status != uint8(verdict.StatusUntrusted) {
		t.Fatalf("on-chain status %d, want untrusted", rec.Status)
	}
}
