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

// FuzzPCSSavedResponses: no TCB Info body, .headers file or PCK CRL in the
// saved-response layout panics the directory loader, and what it accepts names an
// FMSPC it can fetch.
func FuzzPCSSavedResponses(f *testing.F) {
	f.Add(tdxtestdata.TcbInfoBody, []byte("TCB-Info-Issuer-Chain: "+tdxtesting.TcbInfoHeader["Tcb-Info-Issuer-Chain"][0]), tdxtestdata.PckCrlBody)
	f.Add([]byte(`{"tcbInfo":{"fmspc":"00"},"signature":"00"}`), []byte("no header"), []byte{})
	f.Fuzz(func(t *testing.T, tcb, headers, crl []byte) {
		files := map[string][]byte{
			"tcb_info.json": tcb, "tcb_info.headers": headers,
			"qe_identity.json":    tdxtestdata.QeIdentityBody,
			"qe_identity.headers": []byte("SGX-Enclave-Identity-Issuer-Chain: " + tdxtesting.QeIdentityHeader["Sgx-Enclave-Identity-Issuer-Chain"][0]),
			"pckcrl.der":          crl, "pckcrl.headers": []byte("SGX-PCK-CRL-Issuer-Chain: " + tdxtesting.PckCrlHeader["Sgx-Pck-Crl-Issuer-Chain"][0]),
			"rootcrl.der": tdxtestdata.RootCrlBody,
		}
		d, err := ParsePCSFiles("fuzz", files)
		if err != nil {
			return
		}
		if len(d.tcbInfo) != 1 {
			t.Fatalf("accepted %d TCB Infos from one saved response", len(d.tcbInfo))
		}
	})
}
