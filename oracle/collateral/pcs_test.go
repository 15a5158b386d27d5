package collateral

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	tdxtesting "github.com/google/go-tdx-guest/testing"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/google/go-tdx-guest/verify/trust"
)

// pcsServer serves go-tdx-guest's saved PCS responses (bodies and issuer-chain
// headers) at Intel's paths, as PCS does.
func pcsServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	serve := func(path string, hdr map[string][]string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			for k, v := range hdr {
				w.Header()[k] = v
			}
			_, _ = w.Write(body)
		})
	}
	serve("/tdx/certification/v4/tcb", tdxtesting.TcbInfoHeader, tdxtestdata.TcbInfoBody)
	serve("/tdx/certification/v4/qe/identity", tdxtesting.QeIdentityHeader, tdxtestdata.QeIdentityBody)
	serve("/sgx/certification/v4/pckcrl", tdxtesting.PckCrlHeader, tdxtestdata.PckCrlBody)
	serve("/IntelSGXRootCA.der", nil, tdxtestdata.RootCrlBody)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPCSFetcherHTTP(t *testing.T) {
	srv := pcsServer(t)
	f := &PCSFetcher{Getter: &trust.SimpleHTTPSGetter{}, TDXBaseURL: srv.URL + "/tdx/certification/v4",
		SGXBaseURL: srv.URL + "/sgx/certification/v4", RootCRLURL: srv.URL + "/IntelSGXRootCA.der"}
	got, err := f.FetchTDX(context.Background(), "50806f000000", "platform")
	if err != nil {
		t.Fatal(err)
	}
	// The same through go-tdx-guest's own local getter at Intel's URLs.
	want, err := (&PCSFetcher{Getter: tdxtesting.TestGetter}).FetchTDX(context.Background(), "50806f000000", "platform")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.TCBInfo.Body, want.TCBInfo.Body) || !bytes.Equal(got.PCKCRL, want.PCKCRL) || !bytes.Equal(got.RootCACRL, want.RootCACRL) ||
		!bytes.Equal(got.QEIdentity.Signature, want.QEIdentity.Signature) || len(got.TCBInfo.IssuerChain) != 2 || len(got.PCKCRLIssuerChain) != 2 {
		t.Errorf("HTTP fetch differs from the library getter's")
	}
	if !bytes.HasPrefix(got.TCBInfo.Body, []byte(`{"id":"TDX"`)) {
		t.Errorf("TCB Info body is not the signed object: %.40s", got.TCBInfo.Body)
	}
	// Unknown FMSPC: the server has it at the same path, so break the CA instead.
	f.SGXBaseURL = srv.URL + "/nothing"
	if _, err := f.FetchTDX(context.Background(), "50806f000000", "platform"); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("missing PCK CRL: err = %v", err)
	}
	if _, err := (&PCSFetcher{}).FetchTDX(context.Background(), "x", "platform"); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("no getter: err = %v", err)
	}
}

func writePCSDir(t *testing.T, fmspcName string) string {
	t.Helper()
	dir := t.TempDir()
	w := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w("tcbinfo-"+fmspcName+".json", tdxtestdata.TcbInfoBody)
	w("tcbinfo-"+fmspcName+".issuer-chain.pem", []byte(tdxtesting.TcbInfoHeader["Tcb-Info-Issuer-Chain"][0])) // as served: URL-encoded
	w("qeidentity.json", tdxtestdata.QeIdentityBody)
	chain, err := ParseIssuerChain(tdxtesting.QeIdentityHeader["Sgx-Enclave-Identity-Issuer-Chain"][0])
	if err != nil {
		t.Fatal(err)
	}
	w("qeidentity.issuer-chain.pem", pemChain(chain)) // decoded PEM
	w("pckcrl-platform.der", tdxtestdata.PckCrlBody)
	w("pckcrl-platform.issuer-chain.pem", []byte(tdxtesting.PckCrlHeader["Sgx-Pck-Crl-Issuer-Chain"][0]))
	w("rootcrl.der", tdxtestdata.RootCrlBody)
	return dir
}

func TestLoadPCSDir(t *testing.T) {
	dir := writePCSDir(t, "50806F000000")
	d, err := LoadPCSDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.FetchTDX(context.Background(), "50806f000000", "Platform")
	if err != nil {
		t.Fatalf("FMSPC and CA must match case-insensitively: %v", err)
	}
	if len(c.TCBInfo.Signature) != 64 || len(c.QEIdentity.IssuerChain) != 2 || len(c.RootCACRL) == 0 {
		t.Errorf("incomplete collateral %+v", c)
	}
	if _, err := d.FetchTDX(context.Background(), "90c06f000000", "platform"); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("unknown FMSPC: err = %v", err)
	}
	if _, err := d.FetchTDX(context.Background(), "50806f000000", "processor"); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("unknown CA: err = %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "rootcrl.der")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPCSDir(dir); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("missing root CRL: err = %v", err)
	}
	dir = writePCSDir(t, "50806f000000")
	if err := os.Remove(filepath.Join(dir, "qeidentity.issuer-chain.pem")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPCSDir(dir); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("missing issuer chain: err = %v", err)
	}
}

func TestParsePCSSignedJSONRejects(t *testing.T) {
	for name, body := range map[string]string{
		"not json":    "{",
		"no object":   `{"signature":"00"}`,
		"short sig":   `{"tcbInfo":{},"signature":"0011"}`,
		"non-hex sig": `{"tcbInfo":{},"signature":"zz"}`,
		"missing sig": `{"tcbInfo":{}}`,
	} {
		if _, err := ParsePCSSignedJSON([]byte(body), "tcbInfo", nil); !errors.Is(err, ErrTDXCollateral) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := ParseIssuerChain("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("bad chain: err = %v", err)
	}
}

func vectorPath(t testing.TB, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "vectors", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared vector %s missing under CI: %v", p, err)
		}
		t.Skipf("shared vectors not present (%v); skipping", err)
	}
	return p
}

func TestLoadDcapQVL(t *testing.T) {
	p := vectorPath(t, "tdx-v5-outdated/collateral.json")
	c, err := LoadDcapQVL(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(c.TCBInfo.Body, []byte(`"fmspc":"90C06F000000"`)) || len(c.TCBInfo.IssuerChain) != 2 ||
		len(c.QEIdentity.Signature) != 64 || len(c.PCKCRL) == 0 || len(c.RootCACRL) == 0 {
		t.Errorf("incomplete: %+v", c)
	}
	got, err := c.FetchTDX(context.Background(), "90c06f000000", "platform")
	if err != nil || got != c {
		t.Errorf("fixed collateral as a source: %v", err)
	}
	b, _ := os.ReadFile(p)
	bad := strings.Replace(string(b), `"tcb_info_signature":"`, `"tcb_info_signature":"00`, 1)
	if _, err := ParseDcapQVL([]byte(bad)); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("65-byte signature: err = %v", err)
	}
	if _, err := ParseDcapQVL([]byte(`{"tcb_info":"x"}`)); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("incomplete JSON: err = %v", err)
	}
}
