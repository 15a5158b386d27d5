package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// FuzzParseRequest: no request panics the decoder or the pipeline behind it; what
// parses encodes back to a form that parses to the same encoding. The committed
// corpus (testdata/fuzz/FuzzParseRequest) holds requests for testdata's real
// evidence; ../shared/vectors are not copied into it.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"evidence":"AAEC","at":"2022-09-24T01:00:00Z"}`))
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := verifier.ParseRequest(data)
		if err != nil {
			return
		}
		enc, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("parsed request does not encode: %v", err)
		}
		again, err := verifier.ParseRequest(enc)
		if err != nil {
			t.Fatalf("encoded request does not parse: %v\n%s", err, enc)
		}
		enc2, err := json.Marshal(again)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable: %v", err)
		}
		if res, err := v.Verify(context.Background(), req); err == nil && res.Report() == nil {
			t.Fatal("result without a report")
		}
	})
}
