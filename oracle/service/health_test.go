package service_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// downRPC is the chain endpoint with a switch that makes head reads fail.
type downRPC struct {
	*ethclient.Client
	down atomic.Bool
}

func (r *downRPC) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	if r.down.Load() {
		return nil, errors.New("endpoint down")
	}
	return r.Client.HeaderByNumber(ctx, n)
}

// waitReady polls a node's Ready until check accepts its answer.
func waitReady(t *testing.T, n *node, what string, check func(error) bool) error {
	t.Helper()
	var err error
	if !eventually(20*time.Second, 100*time.Millisecond, func() bool { err = n.svc.Ready(ctxT(t)); return check(err) }) {
		t.Fatalf("%s: Ready says %v", what, err)
	}
	return err
}

// TestE2EReadyTellsWhy: /readyz is ready only while the node can publish, and
// otherwise names each reason: a key that is no oracle, a sending account that
// cannot pay, a chain that does not answer or whose head is old, too few peers.
func TestE2EReadyTellsWhy(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	_, other := testchain.DevKey(4)
	poorKey, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	poor := crypto.PubkeyToAddress(poorKey.PublicKey)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle, poor}, 1, 32)
	pol := testPolicy(t, "ready", 600, measurement(0x11))
	e.registerPolicy(t, pol)
	is := func(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

	t.Run("ready", func(t *testing.T) {
		rpc := &downRPC{Client: e.client}
		n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, rpc: rpc})
		waitReady(t, n, "funded oracle on a live chain", func(err error) bool { return err == nil })
		rpc.down.Store(true)
		waitReady(t, n, "chain down", is(service.ErrChainUnreachable))
		rpc.down.Store(false)
		waitReady(t, n, "chain back", func(err error) bool { return err == nil })
		if v := scrape(t, n, "teeoracle_sender_balance_ether"); v <= 0 {
			t.Fatalf("balance metric %g", v)
		}
	})
	t.Run("policy not registered, then registered, then retired", func(t *testing.T) {
		own := testPolicy(t, "ready-own", 600, measurement(0x12))
		h, err := own.Hash()
		if err != nil {
			t.Fatal(err)
		}
		n := startNode(t, e, nodeOpts{key: oracleKey, policy: own})
		err = waitReady(t, n, "unregistered policy", is(service.ErrPolicyInactive))
		if !strings.Contains(err.Error(), h.Hex()) {
			t.Fatalf("readiness does not name the policy %s: %v", h, err)
		}
		active := `teeoracle_policy_active{policy="` + h.Hex() + `"}`
		if v := scrape(t, n, active); v != 0 {
			t.Fatalf("%s = %g, want 0", active, v)
		}
		e.registerPolicy(t, own)
		waitReady(t, n, "registered policy", func(err error) bool { return err == nil })
		if v := scrape(t, n, active); v != 1 {
			t.Fatalf("%s = %g, want 1", active, v)
		}
		e.send(t, e.owner, e.reg.PackRetirePolicy(h))
		err = waitReady(t, n, "retired policy", is(service.ErrPolicyInactive))
		if !strings.Contains(err.Error(), h.Hex()) {
			t.Fatalf("readiness does not name the retired policy %s: %v", h, err)
		}
	})
	t.Run("not an oracle", func(t *testing.T) {
		k, _ := testchain.DevKey(5)
		n := startNode(t, e, nodeOpts{key: k, policy: pol})
		err := waitReady(t, n, "not an oracle", is(service.ErrNotOracle))
		if errors.Is(err, service.ErrLowBalance) {
			t.Fatalf("funded key reported short of funds: %v", err)
		}
	})
	t.Run("head lagging", func(t *testing.T) {
		later := func() time.Time { return time.Now().Add(time.Hour) }
		n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, now: later})
		waitReady(t, n, "old head", is(service.ErrChainLagging))
		if v := scrape(t, n, "teeoracle_chain_head_lag_seconds"); v < 3000 {
			t.Fatalf("head lag metric %g s, want about an hour", v)
		}
	})
	t.Run("peers unreachable", func(t *testing.T) {
		e2 := newChain(t, []common.Address{oracle, other}, 2, 32)
		e2.registerPolicy(t, pol)
		n := startNode(t, e2, nodeOpts{key: oracleKey, policy: pol, peers: []string{"http://127.0.0.1:1"}})
		waitReady(t, n, "peer down", is(service.ErrPeersUnreachable))
		if v := scrape(t, n, "teeoracle_peers_reachable"); v != 0 {
			t.Fatalf("peers reachable %g", v)
		}
	})
	t.Run("unfunded sender stops publishing until funded", func(t *testing.T) {
		machine := e.registerMachine(t, provider, 7, verdict.TEESEVSNP)
		snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
		n := startNode(t, e, nodeOpts{key: poorKey, policy: pol, snp: snp})
		waitReady(t, n, "unfunded sender", is(service.ErrLowBalance))
		a := e.newAgent(t, snp, machine)
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, measurement(0x11), nil))
		if code != 202 {
			t.Fatalf("submit: HTTP %d: %s", code, res.Error)
		}
		if !eventually(30*time.Second, 200*time.Millisecond, func() bool {
			return scrape(t, n, "teeoracle_publish_insufficient_funds_total") >= 1
		}) {
			t.Fatal("no refused transaction counted")
		}
		e.rpc(t, "anvil_setBalance", poor, hexutil.EncodeBig(new(big.Int).Mul(big.NewInt(1e18), big.NewInt(10))))
		v := waitState(t, n, res.ID, 60*time.Second, "confirmed")
		if v.Reason != "" {
			t.Fatalf("confirmed with reason %q", v.Reason)
		}
		waitReady(t, n, "funded", func(err error) bool { return err == nil })
		if got := scrape(t, n, "teeoracle_publish_insufficient_funds_total"); got > 2 {
			t.Fatalf("%g refused transactions: the publisher kept sending while unfunded", got)
		}
	})
}
