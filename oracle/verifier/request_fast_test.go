package verifier_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// fastSeeds are requests in and out of the form fastRequestJSON reads: every field,
// white space, and what it must decline (escapes, nulls, duplicate or differently
// spelt keys, numbers that are not plain digits, non-ASCII, base64 with a line
// break).
func fastSeeds() []string {
	h := strings.Repeat("11", 32)
	full := `{"evidence":"AAEC","evidence_name":"r.bin","certificates":["AQ==","Ag=="],"policy":"dmVyc2lvbjogMQo=",
		"collateral":{"snp_crls":["Ag=="],"snp_vceks":[],"tdx_dcap_qvl":"e30=","tdx_set":"e30=","tdx_pcs":{"rootcrl.der":"Aw==","x":""}},
		"at":"2022-09-24T01:00:00.5+02:00","chain_id":31337,"registry":"0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"binding":{"machine_id":"0x` + h + `","tee_key":"0x` + strings.Repeat("22", 20) + `","anchor_block_number":0,"anchor_block_hash":"0x` + h + `"},
		"report_data":"0x` + strings.Repeat("44", 64) + `"}`
	return []string{
		full,
		" \t\r\n" + strings.ReplaceAll(full, ":", " : ") + " \n",
		`{"evidence":"AAEC","at":"2022-09-24T01:00:00Z"}`,
		`{}`,
		`{"evidence":"","at":""}`,
		`{"evidence":"AAEC","at":"x","report_data":"0x"}`,
		`{"evidence":"AAEC","at":"x","binding":{}}`,
		`{"evidence":"AA\/C","at":"x"}`,
		`{"evidence":"AA\nEC","at":"x"}`,
		`{"evidence":"AAEC","at":"x","chain_id":null}`,
		`{"evidence":"AAEC","evidence":"AQ==","at":"x"}`,
		`{"Evidence":"AAEC","at":"x"}`,
		`{"evidence":"AAEC","at":"x","chain_id":01}`,
		`{"evidence":"AAEC","at":"x","chain_id":1e3}`,
		`{"evidence":"AAEC","at":"x","chain_id":18446744073709551616}`,
		`{"evidence":"AAEC","at":"x","chain_id":-1}`,
		`{"evidence":"AAEC","at":"x","evidence_name":"é"}`,
		`{"evidence":"AAE","at":"x"}`,
		`{"evidence":"AAEC","at":"x"} {}`,
		`{"evidence":"AAEC","at":"x","collateral":{"tdx_pcs":{"a":"AA==","a":"AQ=="}}}`,
		`{"evidence":"AAEC","at":"x","registry":"0x1234"}`,
		`{"evidence":"AAEC","at":"x","certificates":["AA==",]}`,
	}
}

// fastAccepted is how many of fastSeeds, from the first, the fast decoder reads.
const fastAccepted = 7

// FuzzFastRequestJSON: whatever the fast request decoder accepts, encoding/json
// accepts too and decodes to the same value, so that the fast path changes no
// request's meaning; what it declines goes to encoding/json.
func FuzzFastRequestJSON(f *testing.F) {
	for _, s := range fastSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, slow, ok, err := verifier.DecodeRequestBothWays(data)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("the fast decoder accepted what encoding/json refuses (%v)", err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("the fast decoder gives\n%#v\nencoding/json\n%#v", fast, slow)
		}
	})
}

// TestFastRequestJSONTakesEncodedRequests: the requests the encoders write (every
// real case through Request.MarshalJSON, and the seeds of the canonical form) take the fast path and
// decode as encoding/json decodes them; the seeds it must decline, it declines.
func TestFastRequestJSONTakesEncodedRequests(t *testing.T) {
	inputs := map[string][]byte{}
	for i, s := range fastSeeds()[:fastAccepted] {
		inputs[fmt.Sprintf("seed %d", i)] = []byte(s)
	}
	for _, c := range loadCases(t) {
		data, err := json.Marshal(c.Request)
		if err != nil {
			t.Fatal(err)
		}
		inputs[c.Name] = data
	}
	for name, data := range inputs {
		fast, slow, ok, err := verifier.DecodeRequestBothWays(data)
		if err != nil {
			t.Fatalf("%s: encoding/json: %v", name, err)
		}
		if !ok {
			t.Errorf("%s: the fast decoder declined an encoded request", name)
		} else if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: the fast decoder gives\n%#v\nencoding/json\n%#v", name, fast, slow)
		}
	}
	for _, s := range fastSeeds()[fastAccepted:] {
		if _, _, ok, _ := verifier.DecodeRequestBothWays([]byte(s)); ok {
			t.Errorf("the fast decoder accepted %s", s)
		}
	}
}
