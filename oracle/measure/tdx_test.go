package measure

import (
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
)

// tdvfImage is a 4 MiB TDVF image: the last 4 KiB of edk2's OvmfPkgX64 build
// (testdata/virtee, which carries the footer table and the TDX metadata: a
// measured BFV at offset 0x84000 of 0x37c000 bytes, an unmeasured CFV, TD HOB and
// temporary memory), preceded by fill(i) for the rest of the firmware volume.
func tdvfImage(t testing.TB, fill func(i int) byte) []byte {
	suffix, err := os.ReadFile("testdata/virtee/ovmf_OvmfX64_suffix.bin")
	if err != nil {
		t.Fatal(err)
	}
	img := make([]byte, 0x400000)
	for i := range len(img) - len(suffix) {
		img[i] = fill(i)
	}
	copy(img[len(img)-len(suffix):], suffix)
	return img
}

// TestTDXMRTDAgainstTDShim: MRTD agrees with an independent implementation,
// td_shim_tee_info_hash.py of confidential-containers/td-shim (commit 125eeab5,
// td-shim-tools/src/bin/td-shim-tee-info-hash/), run as
// `python3 td_shim_tee_info_hash.py -i IMAGE` on the two images tdvfImage builds
// (written out byte for byte); no project publishes MRTDs for a firmware small
// enough to keep here.
func TestTDXMRTDAgainstTDShim(t *testing.T) {
	for _, c := range []struct {
		name string
		fill func(int) byte
		want string
	}{
		{"zero", func(int) byte { return 0 }, "70e2fdb5f5dc56f91eb71df7095c0993155e130bab55b47ed76b690157320f2d3a917c367df039b2cc157105ecc0f225"},
		{"pattern", func(i int) byte { return byte(i*7 + 3) }, "714a07742ec90554f4e79dcd37ebae1666ea6469f00c1836423695682c5c0e9d6da7dec4c126dafa99d654b87ba2cc6a"},
	} {
		m := mrtdOf(t, tdvfImage(t, c.fill))
		if h := hex.EncodeToString(m[:]); h != c.want {
			t.Errorf("%s: MRTD %s, td-shim %s", c.name, h, c.want)
		}
	}
}

// TestTDXMRTDMeasuresOnlyTheBFV: a byte of the measured firmware volume moves MRTD;
// a byte of the variable store (PAGE.ADD only) does not.
func TestTDXMRTDMeasuresOnlyTheBFV(t *testing.T) {
	base := tdvfImage(t, func(int) byte { return 0 })
	ref := mrtdOf(t, base)
	bfv := append([]byte(nil), base...)
	bfv[0x90000] = 1
	if mrtdOf(t, bfv) == ref {
		t.Error("a changed BFV byte left MRTD unchanged")
	}
	cfv := append([]byte(nil), base...)
	cfv[0x100] = 1
	if mrtdOf(t, cfv) != ref {
		t.Error("a changed variable-store byte moved MRTD (the CFV is added, not measured)")
	}
}

// TestTDXBadInput: firmware without TDX metadata, a bad descriptor, and metadata
// pointing past a truncated image are refused naming the file and the problem.
func TestTDXBadInput(t *testing.T) {
	x64 := loadOVMF(t, "ovmf_OvmfX64_suffix.bin") // the suffix alone: its BFV lies outside the 4 KiB
	if _, err := TDXMRTD(x64); err == nil || !strings.Contains(err.Error(), "ovmf_OvmfX64_suffix.bin") || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated TDVF: %v", err)
	}
	img := tdvfImage(t, func(int) byte { return 0 })
	g := strings.Index(string(img), string(guidTDXMetadataOffset[:]))
	noTDX := append([]byte(nil), img...)
	noTDX[g] ^= 0xff // the footer entry no longer names TDX metadata
	o, err := ParseOVMF("sev-only.fd", noTDX)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TDXMRTD(o); !errors.Is(err, errMissingSection) || !strings.Contains(err.Error(), "sev-only.fd") {
		t.Fatalf("firmware without TDX metadata: %v", err)
	}
	badSig := append([]byte(nil), img...)
	copy(badSig[strings.Index(string(img), "TDVF"):], "XDVF")
	if o, err = ParseOVMF("badsig.fd", badSig); err != nil {
		t.Fatal(err)
	}
	if _, err := TDXMRTD(o); err == nil || !strings.Contains(err.Error(), "badsig.fd") || !strings.Contains(err.Error(), "XDVF") {
		t.Fatalf("bad TDVF signature: %v", err)
	}
}

func FuzzTDVFSections(f *testing.F) {
	b, err := os.ReadFile("testdata/virtee/ovmf_OvmfX64_suffix.bin")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		if o, err := ParseOVMF("fuzz", b); err == nil {
			_, _ = TDXMRTD(o)
		}
	})
}

// mrtdOf is the MRTD of a TDVF image that must parse and measure.
func mrtdOf(t testing.TB, img []byte) [48]byte {
	t.Helper()
	o, err := ParseOVMF("tdvf.fd", img)
	if err != nil {
		t.Fatal(err)
	}
	m, err := TDXMRTD(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
