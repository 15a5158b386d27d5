//go:build !(js && wasm)

package collateral

import (
	"fmt"
	"log/slog"
	"time"
)

// OpenSources and its types reach the network and the disk cache, which the
// WebAssembly build leaves out; the parsers they use are in every build.

// SourceOptions say where collateral comes from: the flags --collateral,
// --cache-dir and --offline of verify and serve.
type SourceOptions struct {
	// Local is a file or directory read by ReadLocal; empty means none.
	Local string
	// CacheDir is the on-disk cache; empty means memory only.
	CacheDir string
	// Offline forbids reaching AMD KDS and Intel PCS.
	Offline bool
	// AsOf selects the cached TDX collateral served; zero means the time of each
	// request (a long-running node).
	AsOf time.Time
	// Logger receives the cache's logs; nil means slog.Default().
	Logger *slog.Logger
}

// Sources are the collateral sources of both TEEs. A nil source means none: SEV-SNP
// then runs on the evidence's certificates with the CRL check skipped, and TDX
// cannot be appraised.
type Sources struct {
	// Local is what SourceOptions.Local named, or nil.
	Local *Local
	// SNP and TDX serve the appraisers: Local's when it has that TEE's collateral,
	// else the cache (AMD KDS, Intel PCS through it unless offline).
	SNP SNPSource
	TDX TDXSource
	// CRLs is the SNP source when Local is AMD CRLs; Reload reads them again.
	CRLs *CRLDir
}

// OpenSources builds the collateral sources of opts. The cache is opened only for a
// TEE Local does not serve, and only when it is on disk or may fetch.
func OpenSources(opts SourceOptions) (*Sources, error) {
	s := &Sources{}
	if opts.Local != "" {
		l, err := ReadLocal(opts.Local)
		if err != nil {
			return nil, err
		}
		if err := s.useLocal(l); err != nil {
			return nil, err
		}
	}
	if (s.SNP != nil && s.TDX != nil) || (opts.Offline && opts.CacheDir == "") {
		return s, nil
	}
	copts := Options{Dir: opts.CacheDir, Offline: opts.Offline, Logger: opts.Logger}
	if !opts.Offline {
		copts.Fetcher = &HTTPFetcher{}
	}
	cache, err := New(copts)
	if err != nil {
		return nil, fmt.Errorf("collateral cache %s: %w", opts.CacheDir, err)
	}
	if s.SNP == nil {
		s.SNP = &KDS{Cache: cache}
	}
	if s.TDX == nil {
		g := TDXGetter{Cache: cache, AsOf: opts.AsOf}
		if opts.AsOf.IsZero() {
			g.Now = time.Now
		}
		s.TDX = &PCSFetcher{Getter: g}
	}
	return s, nil
}

// useLocal makes l the source of its TEE.
func (s *Sources) useLocal(l *Local) error {
	s.Local = l
	switch {
	case l.SNPCRLs != nil || (l.IsDir && l.PCS == nil && l.DcapQVL == nil):
		d, err := OpenCRLDir(l.Path)
		if err != nil {
			return err
		}
		s.SNP, s.CRLs = d, d
	case l.DcapQVL != nil:
		d, err := ParseDcapQVL(l.DcapQVL.Data)
		if err != nil {
			return fmt.Errorf("collateral %s: %w", l.Path, err)
		}
		s.TDX = d
	default:
		d, err := ParsePCSFiles(l.Path, l.PCS)
		if err != nil {
			return err
		}
		s.TDX = d
	}
	return nil
}
