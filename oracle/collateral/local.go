package collateral

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ReadFiles reads one file, or every regular file in a directory (symbolic links to
// regular files included, as a mounted Kubernetes ConfigMap holds them), in name
// order, as named inputs.
func ReadFiles(path string) ([]evidence.Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("collateral: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path) // sorted by name
		if err != nil {
			return nil, fmt.Errorf("collateral: %w", err)
		}
		files = files[:0]
		for _, e := range entries {
			p := filepath.Join(path, e.Name())
			if e.Type()&os.ModeSymlink != 0 {
				if t, err := os.Stat(p); err != nil || !t.Mode().IsRegular() {
					continue
				}
			} else if !e.Type().IsRegular() {
				continue
			}
			files = append(files, p)
		}
	}
	out := make([]evidence.Input, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("collateral: %w", err)
		}
		out = append(out, evidence.Input{Name: f, Data: b})
	}
	return out, nil
}

// Local is collateral given as a path: the one meaning of --collateral for verify
// and serve. Exactly one of its forms is set.
type Local struct {
	// Path is the file or directory read.
	Path string
	// IsDir says whether Path is a directory.
	IsDir bool
	// SNPCRLs are AMD CRL files (DER or PEM); a directory of them may be empty.
	SNPCRLs []evidence.Input
	// DcapQVL is a dcap-qvl QuoteCollateralV3 JSON file (docs/collateral.md, form b).
	DcapQVL *evidence.Input
	// PCS are saved Intel PCS responses by file name (docs/collateral.md, form a).
	PCS map[string][]byte
}

// ReadLocal reads collateral at path, deciding its form by content:
//   - a file: an AMD CRL (DER or PEM) when it parses as one, else a dcap-qvl JSON
//     file (parsed when used);
//   - a directory holding Intel TCB Info (tcbinfo-<fmspc>.json or tcb_info.json):
//     saved Intel PCS responses, other files ignored;
//   - any other directory: AMD CRLs, every file one. A file that is not is an error
//     naming it; an empty directory holds no CRLs yet.
func ReadLocal(path string) (*Local, error) {
	files, err := ReadFiles(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("collateral: %w", err)
	}
	l := &Local{Path: path, IsDir: st.IsDir()}
	_, crlErr := ParseSNPCRLs(files)
	switch {
	case crlErr == nil:
		l.SNPCRLs = files
	case !l.IsDir:
		l.DcapQVL = &files[0]
	case holdsTCBInfo(files):
		l.PCS = make(map[string][]byte, len(files))
		for _, f := range files {
			l.PCS[filepath.Base(f.Name)] = f.Data
		}
	default:
		return nil, fmt.Errorf("collateral %s: neither Intel PCS responses (no %s<fmspc>.json) nor AMD CRLs: %w", path, pcsTCBInfoPrefix, crlErr)
	}
	return l, nil
}

func holdsTCBInfo(files []evidence.Input) bool {
	for _, f := range files {
		n := filepath.Base(f.Name)
		if n == savedTCBInfo+".json" || (strings.HasPrefix(n, pcsTCBInfoPrefix) && strings.HasSuffix(n, ".json")) {
			return true
		}
	}
	return false
}

// SNPSource is the SEV-SNP collateral a source serves: the appraiser's
// appraise.SNPCollateral.
type SNPSource interface {
	VCEK(ctx context.Context, productLine string, chipID []byte, reportedTCB uint64) ([]byte, error)
	CRL(ctx context.Context, productLine string, vlek bool, asOf time.Time) ([]byte, error)
}

// TDXSource is the TDX collateral a source serves: the appraiser's
// appraise.TDXCollateralSource.
type TDXSource interface {
	FetchTDX(ctx context.Context, fmspc, ca string) (*TDXCollateral, error)
}

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
