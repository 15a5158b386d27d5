package service_test

import (
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// nodeConfig is a NodeConfig of a node on e (nil: an endpoint nothing listens on)
// with its key in a file, offline collateral and its database in a new directory.
func nodeConfig(t *testing.T, e *chainEnv) service.NodeConfig {
	t.Helper()
	key, _ := testchain.DevKey(1)
	keyFile := filepath.Join(t.TempDir(), "oracle.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(crypto.FromECDSA(key))), 0o600); err != nil {
		t.Fatal(err)
	}
	c := service.NodeConfig{RPCURL: "http://127.0.0.1:1/v2/SECRETKEY", DB: filepath.Join(t.TempDir(), "node.db"),
		Key: chain.KeySource{KeyFile: keyFile}, Collateral: collateral.SourceOptions{Offline: true}, MaxFeeGwei: 200}
	c.Registry, c.API = common.HexToAddress("0xaa"), api.Config{Listen: "127.0.0.1:0", RateLimit: -1}
	c.Logger = slog.New(slog.DiscardHandler)
	if e != nil {
		c.RPCURL, c.Registry = e.url, e.registry
	}
	return c
}

// A node built from its operator's configuration has no chain id configured: it
// learns it from the endpoint at Start, and its challenges bind to that chain.
func TestNewFromConfigLearnsChainID(t *testing.T) {
	t.Parallel()
	_, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 64)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	n, err := service.NewFromConfig(ctxT(t), nodeConfig(t, e))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	ch, err := n.Challenge(ctxT(t), machine, common.Address{0x01})
	if err != nil {
		t.Fatal(err)
	}
	if ch.ChainID != e.chainID || ch.Registry != e.registry {
		t.Errorf("challenge on chain %d registry %s, want %d %s", ch.ChainID, ch.Registry, e.chainID, e.registry)
	}
	if err := n.Stop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
}

// A node whose endpoint never answers gives up after ChainWait with
// chain.ErrNoChain, and neither its error nor its logs show the URL's key.
func TestNewFromConfigStartGivesUpRedacted(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	c := nodeConfig(t, nil)
	c.ChainWait, c.Logger = 1500*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil))
	n, err := service.NewFromConfig(ctxT(t), c)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	err = n.Start(ctxT(t))
	if !errors.Is(err, chain.ErrNoChain) {
		t.Fatalf("start on a dead endpoint: %v, want ErrNoChain", err)
	}
	if strings.Contains(err.Error()+logs.String(), "SECRETKEY") || !strings.Contains(logs.String(), "chain id query failed") {
		t.Errorf("error %q and logs %q: want the retries logged and the key redacted", err, logs.String())
	}
}

// An input that cannot be read, opened or dialled is refused naming the field
// that gave it, and a bad input read before the database is opened leaves no
// database file.
func TestNewFromConfigRefusesBadInputs(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		mut     func(*service.NodeConfig)
		field   string
		noDBYet bool
	}{
		"explorer wasm dir without the module": {func(c *service.NodeConfig) {
			c.ExplorerRPCURL, c.ExplorerWasm = "https://public-rpc.example", t.TempDir()
		}, "ExplorerWasm", true},
		"explorer URL that is no URL":  {func(c *service.NodeConfig) { c.ExplorerRPCURL = "not a url" }, "ExplorerRPCURL", true},
		"database under a file":        {func(c *service.NodeConfig) { c.DB = filepath.Join(c.Key.KeyFile, "node.db") }, "DB", false},
		"RPC URL of no scheme dialled": {func(c *service.NodeConfig) { c.RPCURL = "ftp://127.0.0.1/SECRETKEY" }, "RPCURL", true},
	} {
		t.Run(name, func(t *testing.T) {
			c := nodeConfig(t, nil)
			tc.mut(&c)
			_, err := service.NewFromConfig(ctxT(t), c)
			var ie *fielderr.Error
			if !errors.As(err, &ie) || len(ie.Fields) != 1 || ie.Fields[0] != tc.field || strings.Contains(err.Error(), "SECRETKEY") {
				t.Fatalf("err %v, want a fielderr.Error about %s without the URL's key", err, tc.field)
			}
			if _, err := os.Stat(c.DB); tc.noDBYet && err == nil {
				t.Error("the database was opened before the inputs were checked")
			}
		})
	}
	c := nodeConfig(t, nil)
	c.Key = chain.KeySource{KeyFile: "/nonexistent/key"}
	if _, err := service.NewFromConfig(context.Background(), c); err == nil || !strings.Contains(err.Error(), "/nonexistent/key") {
		t.Errorf("missing key file: %v", err)
	}
}

// Check refuses a configuration the node cannot be built from, naming the fields
// (so a command line can name its flags), before anything is read.
func TestNodeConfigCheck(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		mut    func(*service.NodeConfig)
		fields []string
	}{
		"no RPC URL":                      {func(c *service.NodeConfig) { c.RPCURL = "" }, []string{"RPCURL"}},
		"no registry":                     {func(c *service.NodeConfig) { c.Registry = common.Address{} }, []string{"Registry"}},
		"no database":                     {func(c *service.NodeConfig) { c.DB = "" }, []string{"DB"}},
		"no key":                          {func(c *service.NodeConfig) { c.Key = chain.KeySource{} }, []string{"Key.Keystore", "Key.PasswordFile", "Key.KeyFile"}},
		"two keys":                        {func(c *service.NodeConfig) { c.Key.Keystore = "ks.json" }, []string{"Key.KeyFile", "Key.Keystore"}},
		"keystore, no password":           {func(c *service.NodeConfig) { c.Key = chain.KeySource{Keystore: "ks.json"} }, []string{"Key.Keystore", "Key.PasswordFile"}},
		"explorer module without its URL": {func(c *service.NodeConfig) { c.ExplorerWasm = t.TempDir() }, []string{"ExplorerWasm", "ExplorerRPCURL"}},
	} {
		t.Run(name, func(t *testing.T) {
			c := nodeConfig(t, nil)
			tc.mut(&c)
			var ie *fielderr.Error
			if err := c.Check(); !errors.As(err, &ie) || strings.Join(ie.Fields, " ") != strings.Join(tc.fields, " ") {
				t.Fatalf("err %v, want one about %v", err, tc.fields)
			}
			if _, err := service.NewFromConfig(ctxT(t), c); !errors.As(err, &ie) {
				t.Errorf("NewFromConfig did not check: %v", err)
			}
			if _, err := os.Stat(c.DB); c.DB != "" && err == nil {
				t.Error("a database was opened for a configuration that does not check")
			}
		})
	}
	c := nodeConfig(t, nil)
	if err := c.Check(); err != nil {
		t.Fatalf("a complete configuration: %v", err)
	}
	want := "give --key-file or --keystore, not both"
	c.Key.Keystore = "ks.json"
	if got := c.Check().(*fielderr.Error).Describe(func(f string) string {
		return map[string]string{"Key.KeyFile": "--key-file", "Key.Keystore": "--keystore"}[f]
	}); got != want {
		t.Errorf("Describe: %q, want %q", got, want)
	}
}
