package evidence

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/teeoracle/teeoracle/internal/strictjson"
)

// TestSubmittedBundleKeyCheckAllocs: the exact-key check of a submitted bundle
// walks its bytes without decoding its values, so decoding a submission costs few
// allocations more than decoding the same bundle from the archive, which skips the
// check (decoding each string value again cost 55 more on this bundle).
func TestSubmittedBundleKeyCheckAllocs(t *testing.T) {
	report := readTestdata(t, "sev-snp/milan-v2/report.bin")
	data := mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report),
		"collateral": map[string]string{"vcek_crl": b64(make([]byte, MaxBundleCollateralItem))}})
	submitted := testing.AllocsPerRun(20, func() {
		if _, err := Decode("submitted", data); err != nil {
			t.Fatal(err)
		}
	})
	archived := testing.AllocsPerRun(20, func() {
		if _, err := DecodeArchived("archived", data); err != nil {
			t.Fatal(err)
		}
	})
	if extra := submitted - archived; extra > 16 {
		t.Errorf("decoding a submitted bundle: %.0f allocations, %.0f more than from the archive; want at most 16 more", submitted, extra)
	}
}

// FuzzBundleKeyCheck: on a bundle that is valid JSON, the submission's key check
// (strictjson.CheckValidKeys) refuses exactly what strictjson.CheckKeys refuses,
// with the same error.
func FuzzBundleKeyCheck(f *testing.F) {
	f.Add([]byte(`{"tee":"sev-snp","evidence":"AAEC","certificates":["AA=="],"collateral":{"vcek_crl":"AA=="}}`))
	f.Add([]byte(`{"tee":"tdx","evidence":"AA","ccel":"AA","runtime_events":[{"rtmr":3,"digest":"00"}],"workload":{"images":[]}}`))
	f.Add([]byte(`{"TEE":"sev-snp","tee":"x","evidence":"","evidence":"AA","collateral":{"a":"","a":""}}`))
	typ := reflect.TypeFor[Bundle]()
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		old, fast := strictjson.CheckKeys(data, typ), strictjson.CheckValidKeys(data, typ)
		if (old == nil) != (fast == nil) || (old != nil && old.Error() != fast.Error()) {
			t.Fatalf("%q: CheckKeys %v, CheckValidKeys %v", data, old, fast)
		}
	})
}
