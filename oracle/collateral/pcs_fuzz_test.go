package collateral

import (
	"testing"

	tdxtesting "github.com/google/go-tdx-guest/testing"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
)

// FuzzParseDcapQVL: no input panics the dcap-qvl importer. Seeds in
// testdata/fuzz/FuzzParseDcapQVL.
func FuzzParseDcapQVL(f *testing.F) {
	f.Add([]byte(`{"tcb_info":"{}","tcb_info_signature":"00","pck_crl":[1,2]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := ParseDcapQVL(b); err == nil && (len(c.TCBInfo.Signature) != 64 || len(c.QEIdentity.Signature) != 64) {
			t.Fatalf("accepted collateral with a malformed signature")
		}
	})
}

// FuzzParsePCSResponse: no PCS body or issuer-chain header value panics the
// importers. Seeds in testdata/fuzz/FuzzParsePCSResponse.
func FuzzParsePCSResponse(f *testing.F) {
	f.Add(tdxtestdata.TcbInfoBody, tdxtesting.TcbInfoHeader["Tcb-Info-Issuer-Chain"][0])
	f.Add(tdxtestdata.QeIdentityBody, "")
	f.Fuzz(func(t *testing.T, body []byte, chain string) {
		_, _ = ParseIssuerChain(chain)
		for _, field := range []string{"tcbInfo", "enclaveIdentity"} {
			if sj, err := ParsePCSSignedJSON(body, field, nil); err == nil && len(sj.Signature) != 64 {
				t.Fatalf("accepted a %d-byte signature", len(sj.Signature))
			}
		}
		_, _ = CRLToDER(body)
	})
}
