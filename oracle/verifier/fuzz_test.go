package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
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

// FuzzParseTDXSet: no input panics the decoder of archived TDX collateral sets, and a
// set it accepts encodes back to JSON that parses to the same set. Seeded with the
// real sets of the TDX cases (testdata's PCS files and, when present, the dcap-qvl
// collateral of ../shared/vectors) and with their refused variants.
func FuzzParseTDXSet(f *testing.F) {
	set, err := verifiertest.Load(repoRoot, f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	seeded := 0
	for _, c := range set.Cases {
		fmspc, ok := map[string]string{"tdx-spr-e4/pcs/default": "50806f000000", "tdx-v5-outdated/default": ""}[c.Name]
		if !ok {
			continue
		}
		b := tdxSetJSON(f, c, fmspc)
		f.Add(b)
		f.Add(append(slices.Clip(b), '}'))
		seeded++
	}
	if seeded == 0 {
		f.Fatal("no TDX case to seed from")
	}
	f.Add([]byte(`{"TCBInfo":{"Body":"e30=","Signature":null,"IssuerChain":[]},"QEIdentity":{"Body":"e30="},"PCKCRL":"AA==","RootCACRL":"AA=="}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := verifier.ParseTDXSet(data)
		if err != nil {
			if !errors.Is(err, collateral.ErrTDXCollateral) {
				t.Fatalf("error %v is not ErrTDXCollateral", err)
			}
			return
		}
		enc, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("accepted set does not encode: %v", err)
		}
		again, err := verifier.ParseTDXSet(enc)
		if err != nil {
			t.Fatalf("encoded set does not parse: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("set changes through its encoding:\n%+v\n%+v", got, again)
		}
	})
}

// TestParseTDXSetExactKeys: an archived TDX collateral set is read only under its
// exact field names, each once; encoding/json alone took "tcbinfo" for TCBInfo
// and let a repeated key replace the first.
func TestParseTDXSetExactKeys(t *testing.T) {
	const good = `{"TCBInfo":{"Body":"e30=","Signature":null,"IssuerChain":[]},"QEIdentity":{"Body":"e30="},"PCKCRL":"AA==","RootCACRL":"AA=="}`
	if _, err := verifier.ParseTDXSet([]byte(good)); err != nil {
		t.Fatalf("set with exact keys: %v", err)
	}
	for name, in := range map[string]string{
		"key case":        strings.Replace(good, `"TCBInfo"`, `"tcbinfo"`, 1),
		"key case nested": strings.Replace(good, `{"Body":"e30="}`, `{"body":"e30="}`, 1),
		"repeated key":    strings.Replace(good, `"PCKCRL":"AA=="`, `"PCKCRL":"AA==","PCKCRL":"AQ=="`, 1),
	} {
		if _, err := verifier.ParseTDXSet([]byte(in)); !errors.Is(err, collateral.ErrTDXCollateral) {
			t.Errorf("%s: err %v, want ErrTDXCollateral", name, err)
		}
	}
}
