package agent

import (
	"fmt"
	"io"

	"github.com/teeoracle/teeoracle/oracle/workload"
)

// Setup is an agent built from its settings (FromConfig), with what its operator
// is told about it.
type Setup struct {
	*Agent
	// Config is the agent's configuration as built: machine, registry, chain, key,
	// evidence source (with the workload, if any) and oracle.
	Config Config
	// Workload is the workload description the evidence carries; nil without one.
	Workload *workload.Description
	// KeyCreated says the TEE key was created now (it was not in its file).
	KeyCreated bool
	// OracleURL is the oracle node's API base URL, as normalised.
	OracleURL string
}

// WriteStart tells what the agent starts with: its workload, when it has one, and
// its machine, TEE, key (created now or loaded) and oracle.
func (s *Setup) WriteStart(w io.Writer) {
	if d := s.Workload; d != nil {
		fmt.Fprintf(w, "teeoracle agent: workload %s (description sha256 %x)\n", d.Canonical(), d.Digest())
	}
	fmt.Fprintf(w, "teeoracle agent: machine %s, %s, TEE key %s (%s), oracle %s\n", s.Config.MachineID.Hex(), s.Config.Source.TEE(),
		s.Address().Hex(), map[bool]string{true: "created", false: "loaded"}[s.KeyCreated], s.OracleURL)
}

// FromConfig builds the agent that the settings c describe (c must pass Check,
// whose *fielderr.Error it returns otherwise): its evidence source (src, or when nil
// the TEE c names, detected), wrapped for c's workload (ConfigureWorkload); its
// TEE key, loaded from c's key file or created there (LoadOrCreateKey); its oracle
// client (NewHTTPOracle); and the agent itself (New), of base with those filled in
// (base gives the rest: logger, OnRound, timings).
func FromConfig(c *FileConfig, src EvidenceSource, base Config) (*Setup, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	var err error
	if base.Registry, err = ParseAddress(c.Registry); err != nil {
		return nil, err
	}
	if base.MachineID, err = ParseHash(c.MachineID); err != nil {
		return nil, err
	}
	if src == nil {
		if src, err = Detect(c.TEE); err != nil {
			return nil, err
		}
	}
	s := &Setup{}
	if base.Source, s.Workload, err = ConfigureWorkload(c, src, nil); err != nil {
		return nil, err
	}
	if base.Key, s.KeyCreated, err = LoadOrCreateKey(c.KeyFile); err != nil {
		return nil, err
	}
	oracle, err := NewHTTPOracle(c.OracleURL, nil)
	if err != nil {
		return nil, err
	}
	base.Oracle, base.ChainID, base.ReattestFraction = oracle, c.ChainID, c.ReattestFraction
	if base.MaxInterval, err = c.MaxWait(); err != nil {
		return nil, err
	}
	if s.Agent, err = New(base); err != nil {
		return nil, err
	}
	s.Config, s.OracleURL = base, oracle.URL()
	return s, nil
}
