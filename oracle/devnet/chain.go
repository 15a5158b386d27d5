package devnet

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/service"
)

// RPC is what the devnet needs from its chain: the oracle node's RPC surface and
// contract deployment.
type RPC interface {
	service.RPC
	chain.RegistryBackend
}

// Chain is the devnet's running chain.
type Chain struct {
	// Kind is "simulated" (go-ethereum's simulated backend, in process) or "anvil".
	Kind string
	// URL is the chain's JSON-RPC endpoint over HTTP, on the loopback interface: for
	// the simulated chain, the in-process node's own HTTP server (eth, net and web3
	// namespaces), so that cast, wallets and the registry explorer can read it too.
	URL     string
	Client  RPC
	ChainID uint64

	sim    *simulated.Backend
	mu     sync.Mutex // serialises Commit between the block ticker and Mine
	stop   chan struct{}
	done   chan struct{}
	anvil  *exec.Cmd
	closed bool
}

// Mine seals a block now on the simulated chain, so set-up transactions need not
// wait for the next tick; nil on anvil, which mines on its own.
func (c *Chain) Mine() func() {
	if c.sim == nil {
		return nil
	}
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.closed {
			c.sim.Commit()
		}
	}
}

// osakaRules runs the simulated chain on Osaka, mainnet's fork, instead of the dev
// default that also enables unreleased forks: the devnet's gas figures are
// mainnet's.
func osakaRules(_ *node.Config, eth *ethconfig.Config) {
	cfg := *params.AllDevChainProtocolChanges
	cfg.AmsterdamTime = nil
	cfg.BogotaTime = nil
	eth.Genesis.Config = &cfg
}

// freePort asks the kernel for a free loopback TCP port. The simulated backend's
// node takes a port number, not a listener, so another process could take the port
// in between; on a developer's machine that is rare enough for a devnet.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startSimulated starts the in-process chain with the given accounts funded and a
// block every interval.
func startSimulated(funded []common.Address, interval time.Duration) (*Chain, error) {
	alloc := types.GenesisAlloc{}
	bal := new(big.Int).Mul(big.NewInt(10_000), big.NewInt(1e18))
	for _, a := range funded {
		alloc[a] = types.Account{Balance: bal}
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("simulated chain: %w", err)
	}
	serveHTTP := func(n *node.Config, _ *ethconfig.Config) {
		n.HTTPHost, n.HTTPPort = "127.0.0.1", port
		n.HTTPModules = []string{"eth", "net", "web3"}
		// Any origin may read this loopback-only devnet chain: the explorer page is
		// served by the oracle node, on another port.
		n.HTTPCors = []string{"*"}
		n.HTTPVirtualHosts = []string{"localhost", "127.0.0.1"}
	}
	sim := simulated.NewBackend(alloc, osakaRules, serveHTTP)
	c := &Chain{Kind: "simulated", URL: fmt.Sprintf("http://127.0.0.1:%d", port), Client: sim.Client(), ChainID: 1337,
		sim: sim, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				c.Mine()()
			}
		}
	}()
	return c, nil
}

// listeningRE matches anvil's start-up line, e.g. "Listening on 127.0.0.1:38545".
var listeningRE = regexp.MustCompile(`Listening on ([0-9.]+:[0-9]+)`)

// ErrNoAnvil: --anvil was given and no anvil binary was found.
var ErrNoAnvil = errors.New("anvil not found (install Foundry or run scripts/install-toolchain)")

// FindAnvil returns the anvil binary: path when set, else the repository's
// .tools/node_modules/.bin/anvil (searched upwards from dir), else anvil on PATH.
func FindAnvil(path, dir string) (string, error) {
	if path != "" {
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			return "", fmt.Errorf("%w: %s is not a file", ErrNoAnvil, path)
		}
		return path, nil
	}
	for d := dir; d != ""; {
		p := filepath.Join(d, ".tools", "node_modules", ".bin", "anvil")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if p, err := exec.LookPath("anvil"); err == nil {
		return p, nil
	}
	return "", ErrNoAnvil
}

// startAnvil runs anvil on a free local port with a block every interval and funds
// the accounts through anvil_setBalance.
func startAnvil(ctx context.Context, bin string, funded []common.Address, interval time.Duration) (*Chain, error) {
	secs := max(1, int(interval/time.Second))
	cmd := exec.Command(bin, "--port", "0", "--host", "127.0.0.1", "--block-time", fmt.Sprint(secs))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	c := &Chain{Kind: "anvil", anvil: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
	}()
	select {
	case hp := <-addr:
		c.URL = "http://" + hp
	case <-c.done:
		return nil, fmt.Errorf("anvil exited before listening")
	case <-time.After(30 * time.Second):
		_ = c.Close()
		return nil, fmt.Errorf("anvil printed no \"Listening on\" line within 30 s")
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cl, err := ethclient.DialContext(dctx, c.URL)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("dial anvil at %s: %w", c.URL, err)
	}
	c.Client = cl
	id, err := cl.ChainID(dctx)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("anvil chain id: %w", err)
	}
	c.ChainID = id.Uint64()
	bal := hexutil.EncodeBig(new(big.Int).Mul(big.NewInt(10_000), big.NewInt(1e18)))
	for _, a := range funded {
		if err := cl.Client().CallContext(dctx, nil, "anvil_setBalance", a, bal); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("fund %s on anvil: %w", a, err)
		}
	}
	return c, nil
}

// Close stops the chain. It is safe to call twice.
func (c *Chain) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	if c.sim != nil {
		close(c.stop)
		<-c.done
		return c.sim.Close()
	}
	if cl, ok := c.Client.(*ethclient.Client); ok {
		cl.Close()
	}
	if c.anvil != nil && c.anvil.Process != nil {
		if err := killGroup(c.anvil); err != nil && !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("stop anvil (pid %d): %w", c.anvil.Process.Pid, err)
		}
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("stop anvil (pid %d): still running after 10 s", c.anvil.Process.Pid)
		}
	}
	return nil
}

// newKey returns a fresh secp256k1 key and its address.
func newKey() (*ecdsa.PrivateKey, common.Address, error) {
	k, err := crypto.GenerateKey()
	if err != nil {
		return nil, common.Address{}, err
	}
	return k, crypto.PubkeyToAddress(k.PublicKey), nil
}
