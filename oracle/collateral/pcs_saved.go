package collateral

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// The "saved responses" layout: each PCS response body under a fixed name, with the
// response's issuer-chain header saved beside it as one "Name: value" line in a
// .headers file (as in go-tdx-guest's test data and testdata/tdx/spr-e4/pcs). It
// holds one FMSPC and one PCK CA, read from the TCB Info body and the CRL's issuer.
const (
	savedTCBInfo    = "tcb_info"
	savedQEIdentity = "qe_identity"
	savedPCKCRL     = "pckcrl"
	savedHeadersExt = ".headers"
)

// savedResponseAliases maps the documented names (tcbinfo-<fmspc>.json and its
// issuer-chain file, qeidentity.*, pckcrl-<ca>.*) to the saved-response files
// present in names, and returns the names to parse, so that parsePCS reads either
// layout. Files already in the documented layout are kept as they are.
func savedResponseAliases(dir string, names []string, read func(string) ([]byte, error)) ([]string, map[string]func() ([]byte, error), error) {
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	aliases := map[string]func() ([]byte, error){}
	out := append([]string(nil), names...)
	headerValue := func(name string) func() ([]byte, error) {
		return func() ([]byte, error) {
			b, err := read(name)
			if err != nil {
				return nil, err
			}
			_, v, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
			if !ok {
				return nil, fmt.Errorf("%w: %s: not a \"Header: value\" line", ErrTDXCollateral, filepath.Join(dir, name))
			}
			return []byte(strings.TrimSpace(v)), nil
		}
	}
	add := func(documented, body, headers string) {
		aliases[documented] = func() ([]byte, error) { return read(body) }
		aliases[strings.TrimSuffix(strings.TrimSuffix(documented, ".json"), ".der")+pcsIssuerChainExt] = headerValue(headers)
		out = append(out, documented)
	}
	if has[savedTCBInfo+".json"] && has[savedTCBInfo+savedHeadersExt] {
		b, err := read(savedTCBInfo + ".json")
		if err != nil {
			return nil, nil, err
		}
		var body struct {
			TCBInfo struct {
				FMSPC string `json:"fmspc"`
			} `json:"tcbInfo"`
		}
		if err := json.Unmarshal(b, &body); err != nil || body.TCBInfo.FMSPC == "" {
			return nil, nil, fmt.Errorf("%w: %s: no tcbInfo.fmspc (%v)", ErrTDXCollateral, filepath.Join(dir, savedTCBInfo+".json"), err)
		}
		add(pcsTCBInfoPrefix+strings.ToLower(body.TCBInfo.FMSPC)+".json", savedTCBInfo+".json", savedTCBInfo+savedHeadersExt)
	}
	if !has[pcsQEIdentityFile] && has[savedQEIdentity+".json"] && has[savedQEIdentity+savedHeadersExt] {
		add(pcsQEIdentityFile, savedQEIdentity+".json", savedQEIdentity+savedHeadersExt)
	}
	for _, ext := range []string{".der", ".pem"} {
		if !has[savedPCKCRL+ext] || !has[savedPCKCRL+savedHeadersExt] {
			continue
		}
		b, err := read(savedPCKCRL + ext)
		if err != nil {
			return nil, nil, err
		}
		ca, err := pckCRLCA(b)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, savedPCKCRL+ext), err)
		}
		add(pcsPCKCRLPrefix+ca+ext, savedPCKCRL+ext, savedPCKCRL+savedHeadersExt)
	}
	return out, aliases, nil
}

// pckCRLCA names the PCK CA ("platform" or "processor") that issued a PCK CRL.
func pckCRLCA(body []byte) (string, error) {
	der, err := CRLToDER(body)
	if err != nil {
		return "", err
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return "", fmt.Errorf("%w: PCK CRL: %w", ErrTDXCollateral, err)
	}
	cn := strings.ToLower(crl.Issuer.CommonName)
	switch {
	case strings.Contains(cn, "platform"):
		return "platform", nil
	case strings.Contains(cn, "processor"):
		return "processor", nil
	}
	return "", fmt.Errorf("%w: PCK CRL issued by %q, neither the Platform nor the Processor CA", ErrTDXCollateral, crl.Issuer.CommonName)
}
