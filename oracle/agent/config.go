package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"sigs.k8s.io/yaml"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/internal/strictjson"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// ErrConfigFile is returned (wrapped) for an agent configuration file that cannot
// be read; the message names the field.
var ErrConfigFile = errors.New("invalid agent config file")

// FileConfig is the agent's configuration file (YAML or JSON). Command-line flags
// override the values it sets; see docs/provider.md.
//
//	oracle_url: http://oracle.example:8545
//	registry: 0x…            # the TeeRegistry the machine is registered in
//	chain_id: 1              # the registry's chain; checked against every challenge
//	machine_id: 0x…          # machineIdOf(provider, salt), from `machine register`
//	key_file: /var/lib/teeoracle/tee-key
//	tee: auto                # sev-snp, tdx or auto
//	reattest_fraction: 0.66  # optional
//	max_interval: 1h         # optional: longest wait between rounds
//	workload:                # optional: what this VM runs (docs/evidence.md)
//	  name: api
//	  images: [ghcr.io/acme/api@sha256:…]
//	  compose_file: /etc/teeoracle/compose.yaml
//	runtime_log: /run/teeoracle/runtime-log.json   # TDX; these three are the defaults
//	rtmr_dir: /sys/class/misc/tdx_guest/measurements
//	ccel_dir: /sys/firmware/acpi/tables
type FileConfig struct {
	OracleURL        string  `json:"oracle_url"`
	Registry         string  `json:"registry"`
	ChainID          uint64  `json:"chain_id"`
	MachineID        string  `json:"machine_id"`
	KeyFile          string  `json:"key_file"`
	TEE              string  `json:"tee"`
	ReattestFraction float64 `json:"reattest_fraction"`
	// MaxInterval is agent.Config.MaxInterval as a Go duration ("1h", "24h");
	// empty means its default.
	MaxInterval string `json:"max_interval"`

	Workload   *WorkloadConfig `json:"workload"`
	RuntimeLog string          `json:"runtime_log"`
	RTMRDir    string          `json:"rtmr_dir"`
	CCELDir    string          `json:"ccel_dir"`
}

// WorkloadConfig names the workload the VM runs: digest-pinned images and the
// compose (or init-data) file, whose SHA-256 the description carries.
type WorkloadConfig struct {
	Name        string   `json:"name"`
	Images      []string `json:"images"`
	ComposeFile string   `json:"compose_file"`
}

// maxConfigFile bounds the configuration file's size.
const maxConfigFile = 64 << 10

// ParseFileConfig reads a configuration file's content strictly: unknown fields,
// duplicate keys and malformed values are errors naming the field.
func ParseFileConfig(data []byte) (*FileConfig, error) {
	if len(data) > maxConfigFile {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrConfigFile, len(data), maxConfigFile)
	}
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfigFile, err)
	}
	var c FileConfig
	if err := strictjson.CheckKeys(js, reflect.TypeOf(c)); err != nil { // keys spelt exactly
		return nil, fmt.Errorf("%w: %w", ErrConfigFile, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfigFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) { // More misses a trailing '}' or ']'
		return nil, fmt.Errorf("%w: more than one document", ErrConfigFile)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfigFile, err)
	}
	return &c, nil
}

// LoadFileConfig reads and parses the file at path; an empty path names no file,
// and its settings are all unset.
func LoadFileConfig(path string) (*FileConfig, error) {
	if path == "" {
		return &FileConfig{}, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("agent config: %w", err)
	}
	if st.Size() > maxConfigFile {
		return nil, fmt.Errorf("agent config %s: %w: %d bytes, at most %d", path, ErrConfigFile, st.Size(), maxConfigFile)
	}
	// As serve's --config: a file others may change could point the agent at
	// another node or key file.
	if perm := st.Mode().Perm(); perm&0o022 != 0 {
		return nil, fmt.Errorf("agent config %s: %w: mode %04o lets others change the agent's settings (chmod go-w %s)", path, ErrConfigFile, perm, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("agent config: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("agent config: %w", err)
	}
	c, err := ParseFileConfig(b)
	if err != nil {
		return nil, fmt.Errorf("agent config %s: %w", path, err)
	}
	return c, nil
}

// ErrRequired: a setting the agent cannot run without is not set.
var ErrRequired = errors.New("required")

// Check checks the settings the agent runs with (the file's, with whatever the
// command line gives on top): oracle_url, registry, chain_id, machine_id and
// key_file are required, and every value set must be well-formed. Its errors are
// *fielderr.Error naming one setting by its key in the configuration file
// (oracle_url, registry, chain_id, machine_id, key_file, tee, reattest_fraction,
// max_interval, workload or workload.images[i]), so that a caller that also takes the setting
// from elsewhere (a flag) can name that.
//
// chain_id is required because the registry's address alone does not name it: the
// same deployer and nonce give the same address on every chain, and an oracle node
// pointed at another chain would otherwise have the TEE bind its key there.
func (c *FileConfig) Check() error {
	for _, s := range []struct{ field, value string }{{"oracle_url", c.OracleURL}, {"registry", c.Registry}} {
		if s.value == "" {
			return fielderr.New(ErrRequired, "", s.field)
		}
	}
	if c.ChainID == 0 {
		return fielderr.New(fmt.Errorf("%w: the id of the chain the registry is on (`teeoracle registry deploy` "+
			"prints it as chain-id; the chain's RPC endpoint answers it to eth_chainId)", ErrRequired), "", "chain_id")
	}
	for _, s := range []struct{ field, value string }{{"machine_id", c.MachineID}, {"key_file", c.KeyFile}} {
		if s.value == "" {
			return fielderr.New(ErrRequired, "", s.field)
		}
	}
	return c.check()
}

// check checks the values set (a file may leave some to the command line).
func (c *FileConfig) check() error {
	bad := func(field, format string, args ...any) error {
		return fielderr.New(fmt.Errorf(format, args...), "", field)
	}
	if c.Registry != "" {
		if _, err := ParseAddress(c.Registry); err != nil {
			return bad("registry", "%w", err)
		}
	}
	if c.MachineID != "" {
		if _, err := ParseHash(c.MachineID); err != nil {
			return bad("machine_id", "%w", err)
		}
	}
	switch c.TEE {
	case "", "auto", "sev-snp", "tdx":
	default:
		return bad("tee", "%q is not sev-snp, tdx or auto", c.TEE)
	}
	if c.ReattestFraction < 0 || c.ReattestFraction >= 1 {
		return bad("reattest_fraction", "%v not in [0, 1)", c.ReattestFraction)
	}
	if _, err := c.MaxWait(); err != nil {
		return bad("max_interval", "%w", err)
	}
	if w := c.Workload; w != nil {
		if len(w.Images) == 0 && w.ComposeFile == "" {
			return bad("workload", "names neither images nor a compose_file")
		}
		for i, ref := range w.Images {
			if _, err := workload.ImageDigest(ref); err != nil {
				return bad(fmt.Sprintf("workload.images[%d]", i), "%w", err)
			}
		}
	}
	return nil
}

// MaxWait is max_interval as a duration: zero when it is not set (the agent's
// default), else at least a minute and at most 2^32-1 s (the registry's longest
// validity).
func (c *FileConfig) MaxWait() (time.Duration, error) {
	if c.MaxInterval == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(c.MaxInterval)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration such as 1h or 24h", c.MaxInterval)
	case d < time.Minute || d > maxValidity*time.Second:
		return 0, fmt.Errorf("%s not between 1m and %ds", c.MaxInterval, uint64(maxValidity))
	}
	return d, nil
}

// ParseAddress reads a 0x-prefixed 20-byte hex address.
func ParseAddress(s string) (common.Address, error) {
	if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("%q is not 0x and 40 hex digits", s)
	}
	return common.HexToAddress(s), nil
}

// ParseHash reads a 0x-prefixed 32-byte hex value.
func ParseHash(s string) (common.Hash, error) {
	b, err := decodeHex(s)
	if err != nil || len(b) != 32 {
		return common.Hash{}, fmt.Errorf("%q is not 0x and 64 hex digits", s)
	}
	return common.BytesToHash(b), nil
}

func decodeHex(s string) ([]byte, error) {
	return hexutil.Decode(s)
}
