package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// With tee auto, a TEE interface that is there but fails (here /dev/sev-guest
// not permitted) is reported, not hidden behind "no SEV-SNP or TDX guest
// interface found"; both probes' errors are kept.
func TestDetectAutoKeepsErrors(t *testing.T) {
	snp := func() (EvidenceSource, error) {
		return nil, fmt.Errorf("open /dev/sev-guest: %w", fs.ErrPermission)
	}
	tdx := func() (EvidenceSource, error) {
		return nil, fmt.Errorf("tdx: %w: no configfs-tsm and no /dev/tdx_guest", ErrNoTEE)
	}
	_, err := detect("auto", snp, tdx)
	if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, ErrNoTEE) || !strings.Contains(err.Error(), "/dev/sev-guest") ||
		!strings.Contains(err.Error(), "/dev/tdx_guest") {
		t.Errorf("err %v; want both probes' errors, the permission error among them", err)
	}
	if _, err := detect("auto", snp, func() (EvidenceSource, error) { return snpSource(t), nil }); err != nil {
		t.Errorf("a working TDX probe after a failing SEV-SNP one: %v", err)
	}
}
