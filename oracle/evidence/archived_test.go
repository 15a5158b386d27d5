package evidence

import (
	"errors"
	"testing"
)

// oversizeBundle is a real SEV-SNP report and its VCEK in a bundle over every
// submission bound a node might have written before the bounds existed: a
// collateral item and the whole JSON too large, and more certificates than a
// submission may carry (the same one repeated, which the hash counts once).
func oversizeBundle(t *testing.T) (big, small []byte) {
	t.Helper()
	report := readTestdata(t, "sev-snp/milan-v2/report.bin")
	vcek := readTestdata(t, "sev-snp/milan-v2/vcek.der")
	certs := make([]string, MaxBundleCertificates+1)
	for i := range certs {
		certs[i] = b64(vcek)
	}
	big = mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "certificates": certs,
		"collateral": map[string]string{"vcek_crl": b64(make([]byte, MaxBundleSize))}})
	small = mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "certificates": []string{b64(vcek)}})
	return big, small
}

// TestDecodeArchivedIgnoresSubmissionBounds: a bundle over the submission bounds is
// refused by Decode (what the API takes in) and read by DecodeArchived (what a node
// holds already), with the same canonical hash as the bundle within the bounds.
func TestDecodeArchivedIgnoresSubmissionBounds(t *testing.T) {
	big, small := oversizeBundle(t)
	if _, err := Decode("submitted", big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Decode of a bundle over the submission bounds: %v, want ErrTooLarge", err)
	}
	ev, err := DecodeArchived("archived", big)
	if err != nil {
		t.Fatalf("DecodeArchived: %v", err)
	}
	want, err := Decode("small", small)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Hash() != want.Hash() || len(ev.Collateral["vcek_crl"]) != MaxBundleSize {
		t.Fatalf("archived bundle hashes to %x (collateral %d bytes), want %x", ev.Hash(), len(ev.Collateral["vcek_crl"]), want.Hash())
	}
	// What is checked for any evidence still is: a bad collateral name, and the
	// input bound every decoder has.
	bad := mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(readTestdata(t, "sev-snp/milan-v2/report.bin")),
		"collateral": map[string]string{"../x": "AA=="}})
	if _, err := DecodeArchived("archived", bad); !errors.Is(err, ErrBadJSON) {
		t.Errorf("DecodeArchived with collateral name ../x: %v, want ErrBadJSON", err)
	}
	if _, err := DecodeArchived("archived", make([]byte, MaxInputSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("DecodeArchived over MaxInputSize: %v, want ErrTooLarge", err)
	}
}
