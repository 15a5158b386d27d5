package collateral

import (
	"context"
	"fmt"
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
