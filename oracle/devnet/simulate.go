package devnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrAuthorityFile: a simulation's saved authority (the simulated vendor's private
// keys) is not a regular file of this user that only this user can read and write.
// It is refused, as the agent's TEE key file is: whoever can change it chooses the
// roots the test node trusts.
var ErrAuthorityFile = errors.New("simulated authority file not private")

// SimKit is what a simulation (`teeoracle agent --simulate DIR`) keeps and writes in
// its directory. TEST ONLY: evidence of simulated hardware verifies under the kit's
// roots and nowhere else.
type SimKit struct {
	// TEE is the simulated TEE, evidence.TEESEVSNP or evidence.TEETDX.
	TEE evidence.TEE
	// Authority holds the simulated vendor's private keys (mode 0600), kept so the
	// roots stay the same across restarts.
	Authority string
	// Roots, Collateral and Policy are for the oracle node (serve --snp-roots or
	// --tdx-root, --collateral, --policy).
	Roots, Collateral, Policy string
}

// simHW is one TEE's simulated authority, as Simulate uses it.
type simHW struct {
	authority []byte // MarshalPEM
	source    agent.EvidenceSource
	roots     []byte            // PEM
	rootsName string            // file name of the roots
	coll      map[string][]byte // collateral files by name
}

// Simulate returns an evidence source of simulated hardware for tee (sev-snp, tdx;
// auto or empty is sev-snp) whose authority is kept in dir: created on first use
// (O_EXCL, never through a symbolic link), read back afterwards (refused with
// ErrAuthorityFile unless a private regular file of this user). It writes the
// node's roots, collateral and policy beside it.
func Simulate(ctx context.Context, dir, tee string, now time.Time) (agent.EvidenceSource, *SimKit, error) {
	if tee == "auto" || tee == "" {
		tee = "sev-snp"
	}
	if tee != "sev-snp" && tee != "tdx" {
		return nil, nil, fmt.Errorf("TEE %q: want sev-snp, tdx or auto", tee)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	kind, _ := evidence.ParseTEE(tee) // sev-snp or tdx, as checked above
	kit := &SimKit{TEE: kind, Authority: filepath.Join(dir, tee+"-authority.pem"), Collateral: filepath.Join(dir, "collateral-"+tee),
		Policy: filepath.Join(dir, "policy.json")}
	saved, err := readAuthority(kit.Authority)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	var sim *simHW
	if tee == "sev-snp" {
		sim, err = simulateSNP(saved, now)
	} else {
		sim, err = simulateTDX(ctx, saved, now)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", kit.Authority, err)
	}
	if saved == nil {
		if err := writeFile(kit.Authority, sim.authority, true); err != nil {
			return nil, nil, err
		}
	}
	kit.Roots = filepath.Join(dir, sim.rootsName)
	if err := writeKit(kit, sim); err != nil {
		return nil, nil, err
	}
	return sim.source, kit, nil
}

func simulateSNP(saved []byte, now time.Time) (*simHW, error) {
	var a *fakehw.SNPAuthority
	var err error
	if saved != nil {
		a, err = fakehw.ParseSNPAuthority(saved, now)
	} else {
		a, err = fakehw.NewSNPAuthority(now)
	}
	if err != nil {
		return nil, err
	}
	pemb, err := a.MarshalPEM()
	if err != nil {
		return nil, err
	}
	chip, err := a.NewChip(fakehw.SNPChipOptions{})
	if err != nil {
		return nil, err
	}
	return &simHW{authority: pemb, source: agent.SNPQuoteSource{QP: chip.QuoteProvider()}, roots: a.RootsPEM(),
		rootsName: "snp-roots.pem", coll: map[string][]byte{"ark-milan.crl": a.CRL()}}, nil
}

func simulateTDX(ctx context.Context, saved []byte, now time.Time) (*simHW, error) {
	var a *fakehw.TDXAuthority
	var err error
	if saved != nil {
		a, err = fakehw.ParseTDXAuthority(ctx, saved, now)
	} else {
		a, err = fakehw.NewTDXAuthority(ctx, now)
	}
	if err != nil {
		return nil, err
	}
	pemb, err := a.MarshalPEM()
	if err != nil {
		return nil, err
	}
	td, err := a.NewMachine(fakehw.TDXMachineOptions{})
	if err != nil {
		return nil, err
	}
	files, err := a.PCSFiles()
	if err != nil {
		return nil, err
	}
	return &simHW{authority: pemb, source: agent.TDXQuoteSource{QP: td}, roots: a.RootPEM(), rootsName: "tdx-root.pem", coll: files}, nil
}

// writeKit writes the node's files: roots, policy and collateral.
func writeKit(kit *SimKit, sim *simHW) error {
	pol, err := DevnetPolicy(time.Hour)
	if err != nil {
		return err
	}
	polJSON, err := pol.CanonicalJSON()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(kit.Collateral, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{kit.Roots: sim.roots, kit.Policy: polJSON}
	for name, b := range sim.coll {
		files[filepath.Join(kit.Collateral, name)] = b
	}
	for path, b := range files {
		if err := writeFile(path, b, false); err != nil {
			return err
		}
	}
	return nil
}

// readAuthority reads a saved authority without following a symbolic link, and
// refuses one that is not a regular file of this user with mode 0600 or stricter.
func readAuthority(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && isSymlink(path) {
			return nil, fmt.Errorf("%s: %w: a symbolic link", path, ErrAuthorityFile)
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s: %w: not a regular file (mode %s)", path, ErrAuthorityFile, st.Mode())
	case st.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("%s: %w: mode %04o, want 0600 or stricter (chmod 600 %s)", path, ErrAuthorityFile, st.Mode().Perm(), path)
	case !ownedByMe(st):
		return nil, fmt.Errorf("%s: %w: owned by another user", path, ErrAuthorityFile)
	}
	return io.ReadAll(io.LimitReader(f, 1<<20))
}

func isSymlink(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode()&fs.ModeSymlink != 0
}

// writeFile writes path without following a symbolic link there: a private file
// (the authority, mode 0600) must not exist yet (O_EXCL); a public one (0644) is
// replaced.
func writeFile(path string, b []byte, private bool) error {
	flags, mode := os.O_WRONLY|os.O_CREATE|os.O_TRUNC|oNoFollow, os.FileMode(0o644)
	if private {
		flags, mode = os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600
	}
	f, err := os.OpenFile(path, flags, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}
