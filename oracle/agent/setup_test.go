package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

func goodSettings(t *testing.T) *FileConfig {
	return &FileConfig{OracleURL: "http://oracle.example:8080/", Registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		ChainID: 31337, MachineID: "0x" + strings.Repeat("11", 32), KeyFile: filepath.Join(t.TempDir(), "tee-key"), ReattestFraction: 0.5}
}

// Check names the setting it refuses by its file key: a required one missing, or
// one malformed.
func TestFileConfigCheck(t *testing.T) {
	if err := goodSettings(t).Check(); err != nil {
		t.Fatal(err)
	}
	for field, spoil := range map[string]func(*FileConfig){
		"oracle_url":        func(c *FileConfig) { c.OracleURL = "" },
		"registry":          func(c *FileConfig) { c.Registry = "0x12" },
		"chain_id":          func(c *FileConfig) { c.ChainID = 0 },
		"machine_id":        func(c *FileConfig) { c.MachineID = "" },
		"key_file":          func(c *FileConfig) { c.KeyFile = "" },
		"tee":               func(c *FileConfig) { c.TEE = "sgx" },
		"reattest_fraction": func(c *FileConfig) { c.ReattestFraction = 1 },
		"max_interval":      func(c *FileConfig) { c.MaxInterval = "30s" },
		"workload.images[0]": func(c *FileConfig) {
			c.Workload = &WorkloadConfig{Images: []string{"ghcr.io/acme/api:latest"}}
		},
	} {
		c := goodSettings(t)
		spoil(c)
		var fe *fielderr.Error
		if err := c.Check(); !errors.As(err, &fe) || fe.Fields[0] != field {
			t.Errorf("%s: %v, want a fielderr.Error naming it", field, err)
		}
	}
	var fe *fielderr.Error
	if err := (&FileConfig{}).Check(); !errors.As(err, &fe) || !errors.Is(err, ErrRequired) || fe.Error() != "oracle_url: required" {
		t.Errorf("empty settings: %v", err)
	}
	// Without the chain id the agent would take the challenge's: refused, saying
	// where the value is.
	c := goodSettings(t)
	c.ChainID = 0
	if err := c.Check(); !errors.As(err, &fe) || !errors.Is(err, ErrRequired) || fe.Fields[0] != "chain_id" ||
		!strings.Contains(err.Error(), "registry deploy") || !strings.Contains(err.Error(), "chain-id") {
		t.Errorf("no chain id: %v, want it required, saying where to find it", err)
	}
}

// FromConfig builds the agent of the settings around a given source: the TEE key
// created in its file on the first start and loaded on the next, the registry,
// machine, chain and fraction parsed into the agent's configuration; settings
// Check refuses build nothing.
func TestFromConfig(t *testing.T) {
	s := goodSettings(t)
	src := snpSource(t)
	first, err := FromConfig(s, src, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !first.KeyCreated || first.Workload != nil || first.OracleURL != "http://oracle.example:8080" {
		t.Errorf("first start: created %v, workload %v, oracle %s", first.KeyCreated, first.Workload, first.OracleURL)
	}
	cfg := first.Config
	if cfg.Registry.Hex() != s.Registry || cfg.MachineID.Hex() != s.MachineID || cfg.ChainID != 31337 || cfg.ReattestFraction != 0.5 ||
		cfg.Source.TEE() != evidence.TEESEVSNP || crypto.PubkeyToAddress(cfg.Key.PublicKey) != first.Address() {
		t.Errorf("configuration %+v", cfg)
	}
	if st, err := os.Stat(s.KeyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", st, err)
	}
	again, err := FromConfig(s, src, Config{})
	if err != nil || again.KeyCreated || again.Address() != first.Address() {
		t.Errorf("second start: %v, created %v, %s vs %s", err, again.KeyCreated, again.Address(), first.Address())
	}
	// max_interval reaches the agent (unset, the agent's default of an hour).
	s.MaxInterval = "24h"
	daily, err := FromConfig(s, src, Config{})
	if err != nil || cfg.MaxInterval != 0 || daily.Config.MaxInterval != 24*time.Hour {
		t.Errorf("max_interval 24h: %v, %v (unset: %v)", err, daily.Config.MaxInterval, cfg.MaxInterval)
	}
	s.OracleURL = "ftp://oracle.example"
	if _, err := FromConfig(s, src, Config{}); err == nil || !strings.Contains(err.Error(), "oracle url") {
		t.Errorf("ftp oracle: %v", err)
	}
	s.Registry = ""
	var fe *fielderr.Error
	if _, err := FromConfig(s, src, Config{}); !errors.As(err, &fe) || fe.Fields[0] != "registry" {
		t.Errorf("no registry: %v", err)
	}
}

// WriteStart names the machine, the TEE, the key and whether it was created now
// or loaded, and the oracle; no workload line without a workload.
func TestSetupWriteStart(t *testing.T) {
	s := goodSettings(t)
	src := snpSource(t)
	for _, want := range []string{"created", "loaded"} {
		a, err := FromConfig(s, src, Config{})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		a.WriteStart(&b)
		line := "teeoracle agent: machine " + a.Config.MachineID.Hex() + ", " + evidence.TEESEVSNP.String() + ", TEE key " + a.Address().Hex() +
			" (" + want + "), oracle http://oracle.example:8080\n"
		if b.String() != line {
			t.Errorf("got %q, want %q", b.String(), line)
		}
	}
}

// An empty path names no settings file: every setting is unset, for flags alone
// to give.
func TestLoadFileConfigEmptyPath(t *testing.T) {
	if s, err := LoadFileConfig(""); err != nil || *s != (FileConfig{}) {
		t.Errorf("empty path: %+v, %v; want empty settings", s, err)
	}
}
