package service_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// TestStoreOptionsReadOversizeArchive: evidence a node archived before the bundle
// submission bounds existed (here a bundle with a collateral item larger than a
// whole submission may be) still reads from the store under the node's options,
// re-hashes to the verdict's evidence hash, and passes the store's check; while the
// API's decoder refuses the same bytes.
func TestStoreOptionsReadOversizeArchive(t *testing.T) {
	report, err := os.ReadFile("../../testdata/sev-snp/milan-v2/report.bin")
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	big, err := json.Marshal(map[string]any{"tee": "sev-snp", "evidence": b64(report),
		"collateral": map[string]string{"vcek_crl": b64(make([]byte, evidence.MaxBundleSize))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.Decode("body", big); !errors.Is(err, evidence.ErrTooLarge) {
		t.Fatalf("the API's decoder took a bundle over the submission bounds: %v", err)
	}
	plain, err := evidence.Decode("report", report)
	if err != nil {
		t.Fatal(err)
	}
	want := common.Hash(plain.Hash())

	path := filepath.Join(t.TempDir(), "node.db")
	st, err := store.Open(path, service.StoreOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	h, err := st.PutEvidence(big)
	if err != nil {
		t.Fatalf("archive an oversize bundle: %v", err)
	}
	if h != want {
		t.Fatalf("archived under %s, want the evidence hash %s", h, want)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(path, service.StoreOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Evidence(want)
	if err != nil || len(got) != len(big) {
		t.Fatalf("read the archived bundle back: %d bytes, %v", len(got), err)
	}
	if err := st.Check(); err != nil {
		t.Fatalf("store check: %v", err)
	}
}
