package service_test

import (
	"bufio"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// anvilProc is an anvil this test controls directly: fixed port and a state file,
// so it can be stopped and started again with its chain intact.
type anvilProc struct {
	port  string
	state string
	cmd   *exec.Cmd
}

func (a *anvilProc) start(t *testing.T) {
	t.Helper()
	bin := testchain.AnvilPath()
	if bin == "" {
		if mustEnvCI() {
			t.Fatal("anvil not installed and CI is set")
		}
		t.Skip("anvil not installed; run scripts/install-toolchain")
	}
	a.cmd = exec.Command(bin, "--port", a.port, "--host", "127.0.0.1", "--block-time", "1", "--state", a.state)
	out, _ := a.cmd.StdoutPipe()
	a.cmd.Stderr = a.cmd.Stdout
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), "Listening on") {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("anvil did not start")
	}
}

// stop ends anvil with SIGTERM, which makes it dump its state.
func (a *anvilProc) stop() {
	if a.cmd == nil || a.cmd.Process == nil {
		return
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = a.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = a.cmd.Process.Kill()
		<-done
	}
	a.cmd = nil
}

// flakyProxy forwards JSON-RPC to anvil and answers a share of requests with 502,
// the way a struggling RPC provider does.
func flakyProxy(t *testing.T, target string, failPct int) *proxy {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &proxy{upstreamErrs: make(chan error, 64)}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		select {
		case p.upstreamErrs <- err:
		default:
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rand.IntN(100) < failPct {
			http.Error(w, "injected upstream failure", http.StatusBadGateway)
			return
		}
		rp.ServeHTTP(w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	p.url = "http://" + ln.Addr().String()
	return p
}

// proxy is a flakyProxy: its address, and the requests it could not pass on
// because the upstream did not answer (the first 64 not yet read).
type proxy struct {
	url          string
	upstreamErrs chan error
}

// drain forgets the upstream errors seen so far.
func (p *proxy) drain() {
	for {
		select {
		case <-p.upstreamErrs:
		default:
			return
		}
	}
}

// waitUpstreamErrors waits until k requests the proxy received failed at the
// upstream.
func (p *proxy) waitUpstreamErrors(t *testing.T, k int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for i := range k {
		select {
		case <-p.upstreamErrs:
		case <-deadline:
			t.Fatalf("%d of %d requests met the dead upstream in %s", i, k, timeout)
		}
	}
}

// buildTeeoracle builds the command into dir. It returns an error instead of
// failing the test so that it can run on its own goroutine.
func buildTeeoracle(dir string) (string, error) {
	bin := filepath.Join(dir, "teeoracle")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/teeoracle/teeoracle/cmd/teeoracle")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

type nodeProc struct {
	cmd  *exec.Cmd
	url  string
	logs *strings.Builder
}

var servingRE = regexp.MustCompile(`serving on ([0-9.:]+)`)

func startNodeProc(t *testing.T, bin string, args []string) *nodeProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--log-level", "warn", "serve"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &nodeProc{cmd: cmd, logs: &strings.Builder{}}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.logs.WriteString(sc.Text() + "\n")
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("node did not start:\n%s", p.logs.String())
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
		}
	})
	return p
}

// TestE2EFaults runs `teeoracle serve` as a separate process, kills it with SIGKILL
// while its transactions are in flight, restarts it behind an RPC proxy that fails a
// third of all requests, then stops and restarts anvil under the running node.
// Every acknowledged submission must be confirmed, and each verdict accepted
// on-chain exactly once; the node must then stop cleanly on SIGTERM.
func TestE2EFaults(t *testing.T) {
	// The end-to-end tests mostly wait for 1-second blocks, each on its own anvil:
	// run them side by side.
	t.Parallel()
	if testing.Short() {
		t.Skip("fault test runs processes for about a minute")
	}
	t0 := time.Now()
	phase := func(what string) { t.Logf("%6.1fs %s", time.Since(t0).Seconds(), what) }
	// Build the command while the chain is set up.
	type buildResult struct {
		bin string
		err error
	}
	built := make(chan buildResult, 1)
	binDir := t.TempDir()
	go func() {
		bin, err := buildTeeoracle(binDir)
		built <- buildResult{bin, err}
	}()
	dir := t.TempDir()
	ap := &anvilProc{port: strings.Split(freeAddr(t), ":")[1], state: filepath.Join(dir, "anvil-state.json")}
	ap.start(t)
	t.Cleanup(ap.stop)
	rpcURL := "http://127.0.0.1:" + ap.port
	client, err := ethclient.Dial(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	e := &chainEnv{url: rpcURL, client: client}
	oracleKey, oracle := testchain.DevKey(6)
	deployInto(t, e, []common.Address{oracle}, 1, 256)
	good := measurement(0x11)
	pol := testPolicy(t, "faults", 3600, good)
	e.registerPolicy(t, pol)
	provider, _ := testchain.DevKey(7)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))

	// Files the node reads.
	keyFile := filepath.Join(dir, "oracle.key")
	writeFile(t, keyFile, hex.EncodeToString(crypto.FromECDSA(oracleKey)))
	polDoc, _ := pol.CanonicalJSON()
	polFile := filepath.Join(dir, "policy.json")
	writeFile(t, polFile, string(polDoc))
	rootsFile := filepath.Join(dir, "roots.pem")
	var roots strings.Builder
	for _, c := range [][]byte{snp.signer.Ark.Raw, snp.signer.Ask.Raw, snp.signer.Asvk.Raw} {
		roots.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c}))
	}
	writeFile(t, rootsFile, roots.String())
	crlDir := filepath.Join(dir, "crls")
	if err := os.MkdirAll(crlDir, 0o755); err != nil {
		t.Fatal(err)
	}
	snp.crls.mu.Lock()
	writeFile(t, filepath.Join(crlDir, "milan.crl"), string(snp.crls.crls[0].der))
	snp.crls.mu.Unlock()
	listen := freeAddr(t)
	args := func(rpc string) []string {
		return []string{"--rpc-url", rpc, "--registry", e.registry.String(), "--key-file", keyFile,
			"--db", filepath.Join(dir, "node.db"), "--policy", polFile, "--snp-roots", rootsFile,
			"--collateral", crlDir, "--offline", "--listen", listen, "--poll-interval", "200ms",
			"--reappraise-interval", "2s", "--rate-limit", "-1"}
	}

	const machines = 6
	type sub struct {
		id      string
		machine common.Hash
		key     common.Address
	}
	var subs []sub
	// Register every machine first (also those attested after the chain restart),
	// then attest back to back, so several verdicts are signed and published while
	// the node is killed.
	ids := registerMachines(t, e, provider, 10, machines+2)
	phase("chain ready")
	b := <-built
	if b.err != nil {
		t.Fatal(b.err)
	}
	bin := b.bin
	phase("built teeoracle")
	p := startNodeProc(t, bin, args(rpcURL))
	n := &node{url: p.url}
	if ph, _ := pol.Hash(); !strings.Contains(p.logs.String(), "with policy "+ph.Hex()) {
		t.Fatalf("the start-up line does not name the policy %s:\n%s", ph, p.logs.String())
	}
	for i, id := range ids[:machines] {
		ag := e.newAgent(t, snp, id)
		ch := ag.challenge(t, n)
		code, res := ag.submit(t, n, ch.AnchorBlockNumber, ag.evidenceFor(t, ch, good, nil))
		if code != 202 {
			t.Fatalf("submit %d: HTTP %d %s", i, code, res.Error)
		}
		subs = append(subs, sub{id: res.ID, machine: id, key: ag.teeKey})
	}
	phase("submitted")
	// Kill the node the moment a transaction is in flight.
	inFlight := eventually(30*time.Second, 50*time.Millisecond, func() bool {
		for _, s := range subs {
			var sv api.SubmissionView
			httpJSON(t, "GET", n.url+"/v1/submissions/"+s.id, "", nil, &sv)
			if sv.State == "submitted" {
				return true
			}
		}
		return false
	})
	if !inFlight {
		t.Fatalf("no transaction went in flight:\n%s", p.logs.String())
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = p.cmd.Process.Wait()
	phase("node killed with a transaction in flight")

	// The node restarts against a failing RPC endpoint.
	proxy := flakyProxy(t, rpcURL, 33)
	p2 := startNodeProc(t, bin, args(proxy.url))
	n2 := &node{url: p2.url}
	t.Cleanup(func() {
		if t.Failed() {
			l := p2.logs.String()
			t.Logf("node log (tail):\n%s", l[max(0, len(l)-20000):])
		}
	})
	phase("node restarted behind the failing proxy")
	for _, s := range subs {
		waitState(t, n2, s.id, 120*time.Second, "confirmed")
	}
	phase("all confirmed")

	// The chain goes away under the running node and comes back. anvil restored from
	// its state file answers BLOCKHASH with zero for blocks before the restart, so
	// evidence anchored before it can no longer be published (the registry says
	// AnchorHashMismatch, as after a reorg): the node must recover its nonce and
	// publish what is anchored after the restart, once.
	proxy.drain()
	ap.stop()
	// The node's loops (200 ms) meet the dead endpoint: several of its requests
	// fail at the proxy for want of an upstream.
	proxy.waitUpstreamErrors(t, 5, 30*time.Second)
	ap.start(t)
	// An agent attesting now must anchor after the restart (evidence anchored before
	// it cannot be published, see above). The node anchors AnchorMargin (2) blocks
	// below the head: mine enough blocks past the restored head, on the chain itself,
	// that every challenge lands on a block mined after the restart.
	restored := blockNumber(t, client, 20*time.Second)
	e.rpc(t, "anvil_mine", "0x4")
	waitBlock(t, client, restored+4, 30*time.Second)
	phase("anvil restarted")
	for _, id := range ids[machines:] {
		ag := e.newAgent(t, snp, id)
		ch := ag.challenge(t, n2)
		code, res := ag.submit(t, n2, ch.AnchorBlockNumber, ag.evidenceFor(t, ch, good, nil))
		if code != 202 {
			t.Fatalf("submit after chain restart: HTTP %d %s", code, res.Error)
		}
		subs = append(subs, sub{id: res.ID, machine: id, key: ag.teeKey})
	}
	phase("submitted after the restart")
	for _, s := range subs[machines:] {
		waitState(t, n2, s.id, 90*time.Second, "confirmed")
	}
	phase("confirmed after the restart")
	for _, s := range subs {
		if !e.isTrusted(t, s.machine) || !e.consumerAccepts(t, s.key) {
			t.Fatalf("machine %s not trusted after recovery", s.machine)
		}
	}
	// Exactly once: one VerdictAccepted (submitVerdict) or VerdictRecorded
	// (submitBatch) per machine; both carry the verdict's digest first in their data.
	logs, err := client.FilterLogs(ctxT(t), ethereum.FilterQuery{FromBlock: big.NewInt(0), Addresses: []common.Address{e.registry},
		Topics: [][]common.Hash{{crypto.Keccak256Hash([]byte("VerdictAccepted(bytes32,address,bytes32,uint8,bytes32,bytes32,bytes32,uint64,uint64)")),
			crypto.Keccak256Hash([]byte("VerdictRecorded(bytes32,bytes32)"))}}})
	if err != nil {
		t.Fatal(err)
	}
	perDigest := map[common.Hash]int{}
	for _, l := range logs {
		perDigest[common.BytesToHash(l.Data[:32])]++
	}
	if len(perDigest) != len(subs) {
		t.Fatalf("%d distinct verdicts accepted, want %d", len(perDigest), len(subs))
	}
	for d, c := range perDigest {
		if c != 1 {
			t.Fatalf("verdict %s accepted %d times", d, c)
		}
	}
	// Graceful stop on SIGTERM.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p2.cmd.Wait(); err != nil {
		t.Fatalf("node exit after SIGTERM: %v\n%s", err, p2.logs.String())
	}
}

// registerMachines registers count machines of provider (salts from salt0) with
// consecutive nonces, sent back to back and then awaited, so they share blocks
// instead of taking a block each; it returns their ids in salt order.
func registerMachines(t *testing.T, e *chainEnv, provider *ecdsa.PrivateKey, salt0 byte, count int) []common.Hash {
	t.Helper()
	from := crypto.PubkeyToAddress(provider.PublicKey)
	nonce, err := e.client.PendingNonceAt(ctxT(t), from)
	if err != nil {
		t.Fatal(err)
	}
	c := e.reg.Instance(e.client, e.registry)
	var txs []*types.Transaction
	var salts [][32]byte
	for i := range count {
		var salt [32]byte
		salt[31] = salt0 + byte(i)
		opts := e.opts(t, provider)
		opts.Nonce = new(big.Int).SetUint64(nonce + uint64(i))
		tx, err := c.RawTransact(opts, e.reg.PackRegisterMachine(salt, verdict.TEESEVSNP, "test://machine"))
		if err != nil {
			t.Fatalf("register machine %d: %v", i, err)
		}
		txs, salts = append(txs, tx), append(salts, salt)
	}
	ids := make([]common.Hash, count)
	for i, tx := range txs {
		e.wait(t, tx)
		out, err := e.client.CallContract(ctxT(t), ethereum.CallMsg{To: &e.registry, Data: e.reg.PackMachineIdOf(from, salts[i])}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ids[i], err = e.reg.UnpackMachineIdOf(out); err != nil {
			t.Fatal(err)
		}
	}
	e.mu.Lock()
	if e.providers == nil {
		e.providers = map[common.Hash]*ecdsa.PrivateKey{}
	}
	for _, id := range ids {
		e.providers[id] = provider
	}
	e.mu.Unlock()
	return ids
}

// blockNumber asks the chain's head, retrying while the endpoint is not answering
// yet (a chain just restarted).
func blockNumber(t *testing.T, c *ethclient.Client, timeout time.Duration) uint64 {
	t.Helper()
	var n uint64
	var err error
	if !eventually(timeout, 100*time.Millisecond, func() bool { n, err = c.BlockNumber(ctxT(t)); return err == nil }) {
		t.Fatalf("chain head unreadable for %s: %v", timeout, err)
	}
	return n
}

// waitBlock polls until the chain's head is at least n.
func waitBlock(t *testing.T, c *ethclient.Client, n uint64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var head uint64
	if !eventually(timeout, 200*time.Millisecond, func() bool { head = blockNumber(t, c, time.Until(deadline)); return head >= n }) {
		t.Fatalf("chain head %d, still below %d after %s", head, n, timeout)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
