package evidence

import (
	"reflect"
	"testing"

	"github.com/teeoracle/teeoracle/internal/strictjson"
)

// bigBundle is an SEV-SNP bundle near the submission bounds: the report, and the
// VCEK CRL and the ASK-signed CRL items at 16 KiB each.
func bigBundle(b *testing.B) []byte {
	report := readTestdata(b, "sev-snp/milan-v2/report.bin")
	return mustJSON(b, map[string]any{"tee": "sev-snp", "evidence": b64(report),
		"collateral": map[string]string{"vcek_crl": b64(make([]byte, MaxBundleCollateralItem))}})
}

// BenchmarkDecodeBundle: a submitted bundle's decoding, the exact-key check
// included; BenchmarkBundleKeyCheck is that check alone on the same bytes.
func BenchmarkDecodeBundle(b *testing.B) {
	data := bigBundle(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode("bench", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBundleKeyCheck(b *testing.B) {
	data := bigBundle(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := strictjson.CheckValidKeys(data, reflect.TypeFor[Bundle]()); err != nil {
			b.Fatal(err)
		}
	}
}
