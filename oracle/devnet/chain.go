package devnet

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"

	"github.com/teeoracle/teeoracle/internal/anvil"
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
	proc   *anvil.Process // the --anvil chain
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
	proc, err := anvil.Start(bin, "--block-time", fmt.Sprint(secs))
	if err != nil {
		return nil, err
	}
	c := &Chain{Kind: "anvil", URL: proc.URL, Client: proc.Client, proc: proc}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cl := proc.Client
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
	if c.proc != nil {
		// Stop closes the client and kills anvil's process group.
		return c.proc.Stop()
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
