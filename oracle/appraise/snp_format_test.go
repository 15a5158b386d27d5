package appraise

import (
	"testing"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
)

// libraryFormatError is what checkFormat asked go-sev-guest before snp_format.go.
func libraryFormatError(raw []byte) error {
	if _, err := abi.ReportToProto(raw); err != nil {
		return err
	}
	return abi.ValidateReportFormat(raw)
}

func sameFormatVerdict(t *testing.T, name string, raw []byte) {
	t.Helper()
	ours, lib := snpFormatError(raw), libraryFormatError(raw)
	switch {
	case (ours == nil) != (lib == nil):
		t.Errorf("%s: ours %v, go-sev-guest %v", name, ours, lib)
	case ours != nil && ours.Error() != lib.Error():
		t.Errorf("%s: ours %q, go-sev-guest %q", name, ours, lib)
	}
}

// TestSNPFormatMatchesLibrary: on every real report, and on each with one format
// rule broken, snpFormatError gives go-sev-guest's answer with its message.
func TestSNPFormatMatchesLibrary(t *testing.T) {
	reports := map[string][]byte{
		"milan-v2":      readTestdata(t, "snp/milan-v2-report.bin"),
		"turin":         sharedVector(t, "snp-turin/report.bin"),
		"vlek-milan-v3": sharedVector(t, "snp-vlek-milan/report.bin"),
	}
	for name, raw := range reports {
		if err := snpFormatError(raw); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		sameFormatVerdict(t, name, raw)
		broken := map[string]func(b []byte){
			"version 1":             func(b []byte) { b[0] = 1 },
			"version 6":             func(b []byte) { b[0] = 6 },
			"policy bit 17 clear":   func(b []byte) { b[0x0A] &^= 2 },
			"policy bit 40 set":     func(b []byte) { b[0x0D] |= 1 },
			"signer info bit 5":     func(b []byte) { b[0x48] |= 0x20 },
			"signing key 3":         func(b []byte) { b[0x48] = b[0x48]&^0x1C | 3<<2 },
			"signing key 7 (none)":  func(b []byte) { b[0x48] |= 7 << 2 },
			"reserved 0x4C":         func(b []byte) { b[0x4D] = 1 },
			"reserved 0x18B":        func(b []byte) { b[0x18B] = 1 },
			"reserved 0x188 (v2)":   func(b []byte) { b[0] = 2; b[0x188] = 1 },
			"reserved 0x1EB":        func(b []byte) { b[0x1EB] = 1 },
			"reserved 0x1EF":        func(b []byte) { b[0x1EF] = 1 },
			"reserved 0x208":        func(b []byte) { b[0x29F] = 1 },
			"signature tail":        func(b []byte) { b[0x2A0+144+3] = 1 },
			"signature tail algo 2": func(b []byte) { b[0x34] = 2; b[0x2A0+144+3] = 1 },
			"short":                 nil,
		}
		for what, edit := range broken {
			b := append([]byte(nil), raw...)
			if edit == nil {
				b = b[:0x400]
			} else {
				edit(b)
			}
			sameFormatVerdict(t, name+" "+what, b)
		}
	}
}

// TestSNPProductLineMatchesLibrary: for every CPUID family and model byte,
// snpProductLine names the product line go-sev-guest's kds package names.
func TestSNPProductLineMatchesLibrary(t *testing.T) {
	named := 0
	for f := range 256 {
		for m := range 256 {
			for _, s := range []byte{0, 1, 15} {
				lib := kds.ProductLineFromFms(abi.FmsToCpuid1Eax(byte(f), byte(m), s))
				if lib == "Unknown" {
					lib = ""
				}
				if got := snpProductLine(byte(f), byte(m)); got != lib {
					t.Fatalf("family 0x%x model 0x%x stepping %d: %q, go-sev-guest %q", f, m, s, got, lib)
				}
				if lib != "" {
					named++
				}
			}
		}
	}
	if named != 3*3 {
		t.Errorf("%d (family, model, stepping) named, want 9 (Milan, Genoa, Turin × 3 steppings)", named)
	}
}

// FuzzSNPFormatMatchesLibrary: on any report-sized input, snpFormatError gives
// go-sev-guest's answer and message.
func FuzzSNPFormatMatchesLibrary(f *testing.F) {
	if b, err := readShared("snp-turin/report.bin"); err == nil {
		f.Add(b)
	}
	f.Add(make([]byte, SNPReportSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < SNPReportSize {
			b = append(b, make([]byte, SNPReportSize-len(b))...)
		}
		b = b[:SNPReportSize]
		ours, lib := snpFormatError(b), libraryFormatError(b)
		if (ours == nil) != (lib == nil) || ours != nil && ours.Error() != lib.Error() {
			t.Fatalf("ours %v, go-sev-guest %v", ours, lib)
		}
	})
}
