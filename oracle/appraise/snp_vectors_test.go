package appraise

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// repoRoot is the module root, found from this file's location.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate test source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// sharedVector reads a file of ../shared/vectors. Without the folder the test is
// skipped, except under CI, where the vectors must be present.
func sharedVector(t testing.TB, rel string) []byte {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "..", "shared", "vectors")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared vectors missing under CI: %v", err)
		}
		t.Skipf("shared vectors not present at %s: %v", dir, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatalf("read vector %s: %v", rel, err)
	}
	return b
}

// readShared reads a file of ../shared/vectors without skipping (for fuzz oracles).
func readShared(rel string) ([]byte, error) {
	_, file, _, _ := runtime.Caller(0)
	return os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "vectors", rel))
}

func readTestdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatalf("read testdata %s: %v", rel, err)
	}
	return b
}

// snpVector is one real SEV-SNP report with its endorsement certificate.
type snpVector struct {
	name   string
	report []byte
	cert   []byte
	asOf   time.Time
}

func milanVector(t testing.TB) snpVector {
	return snpVector{
		name:   "milan-v2",
		report: readTestdata(t, "snp/milan-v2-report.bin"),
		cert:   readTestdata(t, "snp/milan-v2-vcek.der"),
		asOf:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

func turinVector(t testing.TB) snpVector {
	return snpVector{
		name:   "turin-v5",
		report: sharedVector(t, "snp-turin/report.bin"),
		cert:   sharedVector(t, "snp-turin/vcek.der"),
		asOf:   time.Date(2025, 7, 17, 18, 0, 0, 0, time.UTC),
	}
}

func vlekVector(t testing.TB) snpVector {
	return snpVector{
		name:   "vlek-milan-v3",
		report: sharedVector(t, "snp-vlek-milan/report.bin"),
		cert:   sharedVector(t, "snp-vlek-milan/vlek.pem"),
		asOf:   time.Date(2024, 12, 10, 23, 0, 0, 0, time.UTC),
	}
}

func (v snpVector) evidence() *evidence.Evidence {
	return &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: v.report, Certificates: [][]byte{v.cert}}
}

func newProdSNP(t testing.TB, coll SNPCollateral) *SNPAppraiser {
	t.Helper()
	roots, err := AMDSNPRoots()
	if err != nil {
		t.Fatalf("AMDSNPRoots: %v", err)
	}
	a, err := NewSNP(SNPConfig{Roots: roots, Collateral: coll})
	if err != nil {
		t.Fatalf("NewSNP: %v", err)
	}
	return a
}

func checkOutcome(ap *Appraisal, name string) Outcome {
	for _, c := range ap.Checks {
		if c.Name == name {
			return c.Outcome
		}
	}
	return ""
}

func TestSNPRealVectors(t *testing.T) {
	type want struct {
		version     uint32
		line        string
		key         string
		chainCheck  string
		debug, smt  bool
		tcb         TCBStatus
		chipChecked Outcome
		reported    uint64
	}
	tests := []struct {
		name string
		vec  func(testing.TB) snpVector
		want want
	}{
		{"milan-v2", milanVector, want{2, "Milan", "vcek", CheckSNPVCEKChain, true, true, TCBUpToDate, Pass, 0x4405000000000002}},
		{"turin-v5", turinVector, want{5, "Turin", "vcek", CheckSNPVCEKChain, false, true, TCBUpToDate, Pass, 0x4700000002000100}},
		{"vlek-milan-v3", vlekVector, want{3, "Milan", "vlek", CheckSNPVLEKChain, false, true, TCBUpToDate, Skip, 0xd918000000000004}},
	}
	a := newProdSNP(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.vec(t)
			ap, err := a.Appraise(context.Background(), v.evidence(), v.asOf)
			if err != nil {
				t.Fatalf("Appraise: %v", err)
			}
			for _, c := range ap.Checks {
				t.Logf("%-18s %-4s %s", c.Name, c.Outcome, c.Detail)
			}
			if !ap.Authentic {
				t.Fatalf("Authentic = false, want true")
			}
			f := ap.SNP
			if f.Version != tc.want.version || f.ProductLine != tc.want.line || f.SigningKey != tc.want.key {
				t.Errorf("facts version/line/key = %d/%s/%s, want %d/%s/%s", f.Version, f.ProductLine, f.SigningKey, tc.want.version, tc.want.line, tc.want.key)
			}
			if checkOutcome(ap, tc.want.chainCheck) != Pass {
				t.Errorf("%s = %s, want pass", tc.want.chainCheck, checkOutcome(ap, tc.want.chainCheck))
			}
			if ap.Debug != tc.want.debug || f.SMT != tc.want.smt {
				t.Errorf("Debug/SMT = %v/%v, want %v/%v", ap.Debug, f.SMT, tc.want.debug, tc.want.smt)
			}
			if ap.TCBStatus != tc.want.tcb || f.CertifiedTCB != f.ReportedTCB {
				t.Errorf("TCBStatus = %v (reported %#x certified %#x), want %v", ap.TCBStatus, f.ReportedTCB, f.CertifiedTCB, tc.want.tcb)
			}
			if f.ReportedTCB != tc.want.reported || ap.CompactTCB != tc.want.reported {
				t.Errorf("ReportedTCB/CompactTCB = %#x/%#x, want %#x", f.ReportedTCB, ap.CompactTCB, tc.want.reported)
			}
			if got := checkOutcome(ap, CheckSNPChipID); got != tc.want.chipChecked {
				t.Errorf("%s = %s, want %s", CheckSNPChipID, got, tc.want.chipChecked)
			}
			if got := checkOutcome(ap, CheckSNPCRL); got != Skip {
				t.Errorf("%s = %s without a collateral source, want skip", CheckSNPCRL, got)
			}
			if len(ap.Collateral) != 3 {
				t.Errorf("collateral refs = %d, want 3 (leaf, intermediate, ark)", len(ap.Collateral))
			}
			if len(f.Measurement) != 48 || len(f.HostData) != 32 || len(f.ChipID) != 64 || len(ap.ReportData) != 64 {
				t.Errorf("fact sizes measurement/host/chip/reportdata = %d/%d/%d/%d", len(f.Measurement), len(f.HostData), len(f.ChipID), len(ap.ReportData))
			}
		})
	}
}
