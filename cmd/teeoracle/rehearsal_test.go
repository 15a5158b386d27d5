package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/testchain"
)

// syncBuffer is a bytes.Buffer a running command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCmd runs a long-lived command (serve, agent) in this process until ctx ends;
// the returned channel yields its exit code.
func startCmd(ctx context.Context, out *syncBuffer, args ...string) <-chan int {
	done := make(chan int, 1)
	go func() {
		app := newApp(appDeps{Stdout: out, Stderr: out, Now: time.Now})
		done <- exitCode(app.RunContext(ctx, append([]string{"teeoracle"}, args...)), out)
	}()
	return done
}

// TestDocsRehearsalOnAnvil walks docs/provider.md's hardware-free rehearsal with the
// commands the docs give, against a real anvil: the operator makes an encrypted
// oracle key (`key new`), governance deploys the registry (`registry deploy`), the
// provider registers a machine (`machine register`), the agent starts with
// simulated hardware (`agent --simulate`) and prints its TEE key and what a test node
// needs, governance registers the policy it wrote (`policy register`), the provider
// authorises the printed key (`machine authorize-key`), the node starts as printed
// (`serve`), and the agent's round ends with a trusted verdict on-chain (`query`).
func TestDocsRehearsalOnAnvil(t *testing.T) {
	a := testchain.StartAnvil(t, "--block-time", "1")
	dir := t.TempDir()
	rpc := []string{"--rpc-url", a.URL}
	ownerKey, _ := testchain.DevKey(0)
	providerKey, _ := testchain.DevKey(1)
	funder, _ := testchain.DevKey(2)
	ownerFile := writeSecret(t, "owner.hex", []byte(hexutil.Encode(crypto.FromECDSA(ownerKey))+"\n"))
	providerFile := writeSecret(t, "provider.hex", []byte(hexutil.Encode(crypto.FromECDSA(providerKey))+"\n"))

	// The operator's oracle key: an encrypted keystore, its password in a file.
	pw := writeSecret(t, "oracle.pw", []byte("oracle password\n"))
	ks := filepath.Join(dir, "oracle.json")
	k := mustRun(t, "key", "new", "--keystore", ks, "--password-file", pw)
	oracle := k["address"]
	if !strings.HasPrefix(oracle, "0x") {
		t.Fatalf("key new printed %v", k)
	}
	if st, err := os.Stat(ks); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("keystore %v, %v; want mode 0600", st, err)
	}
	// Funding the oracle account, which sends the verdicts (docs/operator.md).
	fund(t, a, funder, oracle)

	d := mustRun(t, append([]string{"registry", "deploy", "--key-file", ownerFile, "--oracle", oracle, "--threshold", "1"}, rpc...)...)
	reg := d["registry"]
	on := append([]string{"--registry", reg}, rpc...)
	m := mustRun(t, append([]string{"machine", "register", "--key-file", providerFile, "--salt", "0x01", "--tee", "sev-snp"}, on...)...)
	machine := m["machine"]

	// The agent starts before the node exists: it prints its key and the kit, and
	// waits for the node.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sim := filepath.Join(dir, "sim")
	var agentOut syncBuffer
	agentDone := startCmd(ctx, &agentOut, "agent", "--simulate", sim, "--oracle-url", "http://"+listen, "--registry", reg, "--chain-id", d["chain-id"],
		"--machine-id", machine, "--tee-key-file", filepath.Join(sim, "tee-key"), "--once")
	keyRE := regexp.MustCompile(`TEE key (0x[0-9a-fA-F]{40})`)
	serveRE := regexp.MustCompile(`teeoracle serve (--snp-roots \S+ --collateral \S+ --policy \S+ --offline)`)
	var teeKey string
	var serveArgs []string
	for deadline := time.Now().Add(time.Minute); teeKey == "" || serveArgs == nil; {
		out := agentOut.String()
		if mm := keyRE.FindStringSubmatch(out); mm != nil {
			teeKey = mm[1]
		}
		if mm := serveRE.FindStringSubmatch(out); mm != nil {
			serveArgs = strings.Fields(mm[1])
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent printed no TEE key or serve line:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	policyFile := serveArgs[5]
	mustRun(t, append([]string{"policy", "register", "--key-file", ownerFile, "--policy", policyFile}, on...)...)
	mustRun(t, append([]string{"machine", "authorize-key", "--key-file", providerFile, "--machine-id", machine, "--tee-key", teeKey}, on...)...)

	var serveOut syncBuffer
	serveDone := startCmd(ctx, &serveOut, append(append([]string{"serve", "--keystore", ks, "--password-file", pw,
		"--listen", listen, "--db", filepath.Join(dir, "node.db")}, on...), serveArgs...)...)
	select {
	case code := <-agentDone:
		if code != 0 {
			t.Fatalf("agent --once exit %d, want 0 (trusted)\nagent:\n%s\nnode:\n%s", code, agentOut.String(), serveOut.String())
		}
	case code := <-serveDone:
		t.Fatalf("serve exited %d before the agent's round ended:\n%s", code, serveOut.String())
	case <-ctx.Done():
		t.Fatalf("no verdict in time\nagent:\n%s\nnode:\n%s", agentOut.String(), serveOut.String())
	}
	if q := mustRun(t, append([]string{"query", "--machine-id", machine}, on...)...); q["trusted"] != "true" {
		t.Fatalf("query after the rehearsal printed %v, want trusted", q)
	}
	if show := mustRun(t, append([]string{"machine", "show", "--machine-id", machine}, on...)...); show["tee-key"] != teeKey {
		t.Fatalf("machine show printed %v, want the authorised key %s bound", show, teeKey)
	}
	cancel()
	<-serveDone
}

// fund sends 1 ether from a funded development account to addr, as an operator
// funds an oracle account (docs/operator.md, "Funding").
func fund(t *testing.T, a *testchain.Anvil, from *ecdsa.PrivateKey, addr string) {
	t.Helper()
	ctx := context.Background()
	to := common.HexToAddress(addr)
	nonce, err := a.Client.PendingNonceAt(ctx, crypto.PubkeyToAddress(from.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	chainID, err := a.Client.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, To: &to,
		Value: big.NewInt(1e18), Gas: 21_000, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9)}),
		types.LatestSignerForChainID(chainID), from)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if r, err := a.Client.TransactionReceipt(ctx, tx.Hash()); err == nil && r.Status == types.ReceiptStatusSuccessful {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("funding transaction not mined")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
