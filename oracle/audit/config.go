package audit

import (
	"context"
	"errors"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// Config is one audit as a command line asks for it: which verdict, from which
// archive, under which roots, and on which registry. Run's refusals are
// *fielderr.Error values naming its fields, so a caller can name its own flags.
type Config struct {
	// VerdictHash is the verdict to audit; zero means MachineID's latest verdict
	// (LatestVerdict): the registry's when Registry is set, else the database's.
	VerdictHash, MachineID common.Hash
	// Node is the base URL of the node API the archive is read from; without it
	// the archive is the node database file DB, opened with StoreOptions.
	Node, DB     string
	StoreOptions store.Options
	// SNPRoots and TDXRoot are files of custom roots; a zero Path keeps that
	// vendor's production roots.
	SNPRoots, TDXRoot appraise.RootsFile
	// Registry, when set, is the registry on chain ChainID that must have accepted
	// the verdict (CheckOnChain).
	Registry Registry
	ChainID  uint64
}

// Run reads cfg's roots, finds the verdict, reproduces it from the archive and,
// with a registry, checks it on-chain.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	src, st, err := OpenSource(cfg.Node, cfg.DB, cfg.StoreOptions)
	if err != nil {
		return nil, fielderr.New(err, "", "DB")
	}
	if st != nil {
		defer st.Close()
	}
	h, err := cfg.target(ctx, st)
	if err != nil {
		return nil, err
	}
	roots, err := appraise.ReadRoots(cfg.SNPRoots, cfg.TDXRoot)
	if err != nil {
		return nil, err
	}
	res, err := Reproduce(ctx, src, h, verifier.Options{SNPRoots: roots.SNP, TDXRoot: roots.TDX})
	if err != nil {
		return nil, err
	}
	res.Roots = appraise.DescribeRoots(cfg.SNPRoots, cfg.TDXRoot)
	if cfg.Registry != nil {
		if err := CheckOnChain(ctx, cfg.Registry, cfg.ChainID, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// target is the hash of the verdict cfg audits.
func (cfg Config) target(ctx context.Context, st *store.Store) (common.Hash, error) {
	switch {
	case cfg.VerdictHash != (common.Hash{}):
		return cfg.VerdictHash, nil
	case cfg.MachineID == (common.Hash{}):
		return common.Hash{}, fielderr.New(nil, "%s or %s is required", "VerdictHash", "MachineID")
	}
	h, err := LatestVerdict(ctx, cfg.MachineID, cfg.Registry, st)
	switch {
	case errors.Is(err, ErrNoLookup):
		return common.Hash{}, fielderr.New(nil, "%s needs %s (audit the verdict on-chain) or %s (the latest archived one)", "MachineID", "Registry", "DB")
	case err != nil:
		return common.Hash{}, fielderr.New(err, "%s "+fielderr.Value(cfg.MachineID), "MachineID")
	}
	return h, nil
}
