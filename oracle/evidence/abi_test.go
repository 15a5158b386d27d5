package evidence

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	sevabi "github.com/google/go-sev-guest/abi"
	tdxabi "github.com/google/go-tdx-guest/abi"
	"github.com/google/uuid"
)

// TestABIConstantsMatchLibraries: the constants abi.go defines are the libraries'.
func TestABIConstantsMatchLibraries(t *testing.T) {
	for name, c := range map[string][2]any{
		"TDX TEE type":          {uint32(tdxTEEType), uint32(tdxabi.TeeTDX)},
		"attestation key type":  {uint16(tdxAttestationKeyType), uint16(tdxabi.AttestationKeyType)},
		"cert table entry size": {snpCertTableEntrySize, sevabi.CertTableEntrySize},
		"VCEK GUID":             {snpVCEKGUID, sevabi.VcekGUID},
		"VLEK GUID":             {snpVLEKGUID, sevabi.VlekGUID},
		"ASK GUID":              {snpASKGUID, sevabi.AskGUID},
		"ARK GUID":              {snpARKGUID, sevabi.ArkGUID},
	} {
		if c[0] != c[1] {
			t.Errorf("%s: %v, library %v", name, c[0], c[1])
		}
	}
}

// sameHeader requires parseCertTableHeader's answer to be go-sev-guest's: the same
// entries, or an error for the same inputs (the library's message for an offset into
// the header swaps the two numbers; ours does not).
func sameHeader(t *testing.T, name string, data []byte) {
	t.Helper()
	ours, err := parseCertTableHeader(data)
	lib, libErr := sevabi.ParseSnpCertTableHeader(data)
	if (err == nil) != (libErr == nil) {
		t.Fatalf("%s: ours %v, go-sev-guest %v", name, err, libErr)
	}
	if len(ours) != len(lib) {
		t.Fatalf("%s: %d entries, go-sev-guest %d", name, len(ours), len(lib))
	}
	for i := range ours {
		if ours[i].GUID != lib[i].GUID || ours[i].Offset != lib[i].Offset || ours[i].Length != lib[i].Length {
			t.Fatalf("%s: entry %d %+v, go-sev-guest %+v", name, i, ours[i], lib[i])
		}
	}
}

// TestCertTableHeaderMatchesLibrary: on the real certificate table, on tables with
// an entry pointing into the header, and on an empty table, the header parser gives
// go-sev-guest's entries and errors; MarshalCertTable writes the library's bytes.
func TestCertTableHeaderMatchesLibrary(t *testing.T) {
	table, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sev-snp", "milan-v2", "certtable.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sameHeader(t, "milan certtable", table)
	sameHeader(t, "empty", nil)
	bad := bytes.Clone(table)
	bad[16] = 8 // first entry's offset into the header
	bad[17], bad[18], bad[19] = 0, 0, 0
	sameHeader(t, "offset into header", bad)
	sameHeader(t, "terminator only", make([]byte, 24))

	entries, err := ParseCertTable("milan", table)
	if err != nil || len(entries) == 0 {
		t.Fatalf("ParseCertTable: %d entries, %v", len(entries), err)
	}
	var certs []Certificate
	var lib sevabi.CertTable
	for _, e := range entries {
		if e.Certificate == nil {
			continue
		}
		certs = append(certs, *e.Certificate)
		lib.Entries = append(lib.Entries, sevabi.CertTableEntry{GUID: e.GUID, RawCert: e.Certificate.DER})
	}
	got, err := MarshalCertTable(certs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, lib.Marshal()) {
		t.Error("MarshalCertTable differs from go-sev-guest's CertTable.Marshal")
	}
	if b, err := MarshalCertTable(nil); err != nil || b != nil {
		t.Errorf("no certificates: %x, %v; want no bytes", b, err)
	}
}

// FuzzCertTableHeaderMatchesLibrary: on any input with an all-zero entry (the only
// input ParseCertTable gives the header parser), parseCertTableHeader answers as
// go-sev-guest's ParseSnpCertTableHeader.
func FuzzCertTableHeaderMatchesLibrary(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sev-snp", "milan-v2", "certtable.bin")); err == nil {
		f.Add(b)
	}
	g := uuid.MustParse(snpVCEKGUID)
	f.Add(marshalCertTable([]uuid.UUID{g}, [][]byte{{1, 2, 3}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !hasTerminator(data) {
			return
		}
		sameHeader(t, "fuzz", data)
	})
}
