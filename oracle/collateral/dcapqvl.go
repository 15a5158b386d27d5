package collateral

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// dcapQVLCollateral is the JSON form of dcap-qvl's QuoteCollateralV3 (Phala-Network/
// dcap-qvl): PEM issuer chains, hex DER CRLs, and the TCB Info and QE Identity objects
// as the exact strings Intel signed, with hex signatures.
type dcapQVLCollateral struct {
	PCKCRLIssuerChain     string     `json:"pck_crl_issuer_chain"`
	RootCACRL             hexOrBytes `json:"root_ca_crl"`
	PCKCRL                hexOrBytes `json:"pck_crl"`
	TCBInfoIssuerChain    string     `json:"tcb_info_issuer_chain"`
	TCBInfo               string     `json:"tcb_info"`
	TCBInfoSignature      hexOrBytes `json:"tcb_info_signature"`
	QEIdentityIssuerChain string     `json:"qe_identity_issuer_chain"`
	QEIdentity            string     `json:"qe_identity"`
	QEIdentitySignature   hexOrBytes `json:"qe_identity_signature"`
}

// hexOrBytes accepts a hex string (dcap-qvl's serde output for byte fields) or a JSON
// array of numbers (serde's default for Vec<u8>).
type hexOrBytes []byte

func (h *hexOrBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		d, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
		if err != nil {
			return fmt.Errorf("not hex: %w", err)
		}
		*h = d
		return nil
	}
	var nums []byte
	var arr []uint16
	if err := json.Unmarshal(b, &arr); err != nil {
		return fmt.Errorf("want a hex string or a byte array: %w", err)
	}
	for i, v := range arr {
		if v > 255 {
			return fmt.Errorf("byte %d is %d", i, v)
		}
		nums = append(nums, byte(v))
	}
	*h = nums
	return nil
}

// ParseDcapQVL reads collateral in the JSON layout of dcap-qvl's QuoteCollateralV3.
func ParseDcapQVL(b []byte) (*TDXCollateral, error) {
	var d dcapQVLCollateral
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%w: dcap-qvl collateral JSON: %w", ErrTDXCollateral, err)
	}
	field := func(name string, err error) error {
		return fmt.Errorf("dcap-qvl collateral %s: %w", name, err)
	}
	c := &TDXCollateral{}
	var err error
	if c.TCBInfo.IssuerChain, err = ParseIssuerChain(d.TCBInfoIssuerChain); err != nil {
		return nil, field("tcb_info_issuer_chain", err)
	}
	if c.QEIdentity.IssuerChain, err = ParseIssuerChain(d.QEIdentityIssuerChain); err != nil {
		return nil, field("qe_identity_issuer_chain", err)
	}
	if c.PCKCRLIssuerChain, err = ParseIssuerChain(d.PCKCRLIssuerChain); err != nil {
		return nil, field("pck_crl_issuer_chain", err)
	}
	if d.TCBInfo == "" {
		return nil, field("tcb_info", fmt.Errorf("%w: missing", ErrTDXCollateral))
	}
	if d.QEIdentity == "" {
		return nil, field("qe_identity", fmt.Errorf("%w: missing", ErrTDXCollateral))
	}
	c.TCBInfo.Body = []byte(d.TCBInfo)
	c.QEIdentity.Body = []byte(d.QEIdentity)
	if len(d.TCBInfoSignature) != 64 {
		return nil, field("tcb_info_signature", fmt.Errorf("%w: %d bytes, want 64", ErrTDXCollateral, len(d.TCBInfoSignature)))
	}
	if len(d.QEIdentitySignature) != 64 {
		return nil, field("qe_identity_signature", fmt.Errorf("%w: %d bytes, want 64", ErrTDXCollateral, len(d.QEIdentitySignature)))
	}
	c.TCBInfo.Signature = d.TCBInfoSignature
	c.QEIdentity.Signature = d.QEIdentitySignature
	if c.PCKCRL, err = CRLToDER(d.PCKCRL); err != nil {
		return nil, field("pck_crl", err)
	}
	if c.RootCACRL, err = CRLToDER(d.RootCACRL); err != nil {
		return nil, field("root_ca_crl", err)
	}
	return c, nil
}

// LoadDcapQVL reads a dcap-qvl collateral JSON file.
func LoadDcapQVL(path string) (*TDXCollateral, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTDXCollateral, err)
	}
	c, err := ParseDcapQVL(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
