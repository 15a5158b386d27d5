package appraise_test

import (
	"bytes"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
)

// AMD's production roots written as one PEM file read back into the same sets; a
// file with anything else in it is refused with ErrRoots.
func TestParseSNPRootsPEM(t *testing.T) {
	amd, err := appraise.AMDSNPRoots()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, line := range amd.ProductLines() {
		s := amd.Set(line)
		for _, c := range [...][]byte{s.ASVK.Raw, s.ARK.Raw, s.ASK.Raw} {
			pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c})
		}
	}
	got, err := appraise.ParseSNPRootsPEM(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range amd.ProductLines() {
		w, g := amd.Set(line), got.Set(line)
		if g == nil || !w.ARK.Equal(g.ARK) || !w.ASK.Equal(g.ASK) || !w.ASVK.Equal(g.ASVK) {
			t.Errorf("%s: got %+v, want AMD's set", line, g)
		}
	}
	for _, tc := range []struct {
		name string
		pem  []byte
	}{
		{"not a root", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: appraise.IntelSGXRootCA().Raw})},
		{"not a certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}})},
	} {
		if _, err := appraise.ParseSNPRootsPEM(tc.pem); !errors.Is(err, appraise.ErrRoots) {
			t.Errorf("%s: err %v, want ErrRoots", tc.name, err)
		}
	}
	if _, err := appraise.ParseTDXRootPEM([]byte("no pem here")); !errors.Is(err, appraise.ErrRoots) {
		t.Errorf("ParseTDXRootPEM without PEM: err %v, want ErrRoots", err)
	}
}
