package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// MaxRequestSize bounds a JSON request: evidence, certificates and collateral are at
// most some tens of kilobytes, base64 adds a third.
const MaxRequestSize = 8 << 20

// requestJSON is the JSON form of a Request (docs/wasm.md). Byte fields are standard
// base64 with padding, as Go and the evidence bundle encode them; hashes, addresses
// and report data are 0x-prefixed hex, as everywhere on the chain side.
type requestJSON struct {
	Evidence     []byte          `json:"evidence"`
	EvidenceName string          `json:"evidence_name,omitempty"`
	Certificates [][]byte        `json:"certificates,omitempty"`
	Collateral   *collateralJSON `json:"collateral,omitempty"`
	Policy       []byte          `json:"policy,omitempty"`
	At           string          `json:"at"`
	ChainID      uint64          `json:"chain_id,omitempty"`
	Registry     *common.Address `json:"registry,omitempty"`
	Binding      *bindingJSON    `json:"binding,omitempty"`
	ReportData   hexutil.Bytes   `json:"report_data,omitempty"`
}

type collateralJSON struct {
	SNPCRLs    [][]byte          `json:"snp_crls,omitempty"`
	SNPVCEKs   [][]byte          `json:"snp_vceks,omitempty"`
	TDXDcapQVL []byte            `json:"tdx_dcap_qvl,omitempty"`
	TDXPCS     map[string][]byte `json:"tdx_pcs,omitempty"`
	TDXSet     []byte            `json:"tdx_set,omitempty"`
}

// bindingJSON has pointer fields so that a missing one is told from a zero one: a
// binding needs all four.
type bindingJSON struct {
	MachineID         *common.Hash    `json:"machine_id"`
	TEEKey            *common.Address `json:"tee_key"`
	AnchorBlockNumber *uint64         `json:"anchor_block_number"`
	AnchorBlockHash   *common.Hash    `json:"anchor_block_hash"`
}

// ParseRequest decodes a Request from its JSON form (docs/wasm.md). Unknown fields,
// trailing data, a missing "evidence" or "at", an incomplete "binding" and values
// that do not parse are errors wrapping ErrRequest that name the field.
func ParseRequest(data []byte) (*Request, error) {
	rj, err := decodeRequestJSON(data)
	if err != nil {
		return nil, err
	}
	at, err := time.Parse(time.RFC3339, rj.At)
	if err != nil {
		return nil, fmt.Errorf("%w: \"at\" %q: not an RFC 3339 time: %w", ErrRequest, rj.At, err)
	}
	req := &Request{
		Evidence: evidence.Input{Name: rj.EvidenceName, Data: rj.Evidence},
		Policy:   rj.Policy,
		At:       at,
	}
	if req.Evidence.Name == "" {
		req.Evidence.Name = "evidence"
	}
	if err := rj.checkNoEmptyBytes(); err != nil {
		return nil, err
	}
	rj.inputs(req)
	req.Domain.ChainID = rj.ChainID
	if rj.Registry != nil {
		req.Domain.Registry = *rj.Registry
	}
	if rj.Binding != nil {
		if req.Binding, err = rj.Binding.binding(); err != nil {
			return nil, err
		}
	}
	if rj.ReportData != nil {
		if len(rj.ReportData) != 64 {
			return nil, fmt.Errorf("%w: \"report_data\" is %d bytes, want 64", ErrRequest, len(rj.ReportData))
		}
		req.ReportData = rj.ReportData
	}
	return req, nil
}

// decodeRequestJSON reads one request object, strictly: no unknown fields, nothing
// after it, evidence and time present.
func decodeRequestJSON(data []byte) (*requestJSON, error) {
	if len(data) > MaxRequestSize {
		return nil, fmt.Errorf("%w: request is %d bytes, more than %d", ErrRequest, len(data), MaxRequestSize)
	}
	rj, ok := fastRequestJSON(data)
	if !ok {
		var err error
		if rj, err = slowRequestJSON(data); err != nil {
			return nil, err
		}
	}
	if len(rj.Evidence) == 0 {
		return nil, fmt.Errorf("%w: \"evidence\" is missing or empty", ErrRequest)
	}
	if rj.At == "" {
		return nil, fmt.Errorf("%w: \"at\" is missing (an RFC 3339 time)", ErrRequest)
	}
	return rj, nil
}

// slowRequestJSON decodes any request with encoding/json: what fastRequestJSON
// declines, and the errors.
func slowRequestJSON(data []byte) (*requestJSON, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var rj requestJSON
	if err := dec.Decode(&rj); err != nil {
		return nil, fmt.Errorf("%w: request JSON: %w", ErrRequest, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: request JSON: data after the object", ErrRequest)
	}
	return &rj, nil
}

// checkNoEmptyBytes refuses an empty byte field rather than dropping it: it names
// nothing, and a request must encode back to itself.
func (rj *requestJSON) checkNoEmptyBytes() error {
	for i, c := range rj.Certificates {
		if len(c) == 0 {
			return fmt.Errorf("%w: \"certificates[%d]\" is empty", ErrRequest, i)
		}
	}
	c := rj.Collateral
	if c == nil {
		return nil
	}
	for name, list := range map[string][][]byte{"snp_crls": c.SNPCRLs, "snp_vceks": c.SNPVCEKs} {
		for i, b := range list {
			if len(b) == 0 {
				return fmt.Errorf("%w: \"collateral.%s[%d]\" is empty", ErrRequest, name, i)
			}
		}
	}
	for name, b := range map[string][]byte{"tdx_dcap_qvl": c.TDXDcapQVL, "tdx_set": c.TDXSet} {
		if b != nil && len(b) == 0 {
			return fmt.Errorf("%w: \"collateral.%s\" is empty", ErrRequest, name)
		}
	}
	for k, b := range c.TDXPCS {
		if len(b) == 0 {
			return fmt.Errorf("%w: \"collateral.tdx_pcs[%q]\" is empty", ErrRequest, k)
		}
	}
	return nil
}

// inputs gives req the certificates and collateral, named by their position.
func (rj *requestJSON) inputs(req *Request) {
	for i, c := range rj.Certificates {
		req.Certificates = append(req.Certificates, evidence.Input{Name: fmt.Sprintf("certificates[%d]", i), Data: c})
	}
	c := rj.Collateral
	if c == nil {
		return
	}
	for i, b := range c.SNPCRLs {
		req.Collateral.SNPCRLs = append(req.Collateral.SNPCRLs, evidence.Input{Name: fmt.Sprintf("collateral.snp_crls[%d]", i), Data: b})
	}
	for i, b := range c.SNPVCEKs {
		req.Collateral.SNPVCEKs = append(req.Collateral.SNPVCEKs, evidence.Input{Name: fmt.Sprintf("collateral.snp_vceks[%d]", i), Data: b})
	}
	if c.TDXDcapQVL != nil {
		req.Collateral.TDXDcapQVL = &evidence.Input{Name: "collateral.tdx_dcap_qvl", Data: c.TDXDcapQVL}
	}
	if len(c.TDXPCS) > 0 {
		req.Collateral.TDXPCS = c.TDXPCS
	}
	if c.TDXSet != nil {
		req.Collateral.TDXSet = &evidence.Input{Name: "collateral.tdx_set", Data: c.TDXSet}
	}
}

// binding returns the binding, which needs all four of its fields.
func (b *bindingJSON) binding() (*Binding, error) {
	var missing []string
	for _, f := range []struct {
		name string
		ok   bool
	}{{"machine_id", b.MachineID != nil}, {"tee_key", b.TEEKey != nil},
		{"anchor_block_number", b.AnchorBlockNumber != nil}, {"anchor_block_hash", b.AnchorBlockHash != nil}} {
		if !f.ok {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: \"binding\" needs machine_id, tee_key, anchor_block_number and anchor_block_hash; missing %v", ErrRequest, missing)
	}
	return &Binding{MachineID: *b.MachineID, TEEKey: *b.TEEKey, AnchorBlockNumber: *b.AnchorBlockNumber, AnchorBlockHash: *b.AnchorBlockHash}, nil
}

// MarshalJSON encodes r in the form ParseRequest reads. Input names other than the
// evidence's are not carried: ParseRequest names inputs by their position.
func (r *Request) MarshalJSON() ([]byte, error) {
	rj := requestJSON{
		Evidence:     r.Evidence.Data,
		EvidenceName: r.Evidence.Name,
		Policy:       r.Policy,
		At:           r.At.UTC().Format(time.RFC3339Nano),
		ChainID:      r.Domain.ChainID,
		ReportData:   r.ReportData,
	}
	if rj.EvidenceName == "evidence" {
		rj.EvidenceName = ""
	}
	for _, c := range r.Certificates {
		rj.Certificates = append(rj.Certificates, c.Data)
	}
	if !r.Collateral.empty() {
		c := &collateralJSON{TDXPCS: r.Collateral.TDXPCS}
		for _, in := range r.Collateral.SNPCRLs {
			c.SNPCRLs = append(c.SNPCRLs, in.Data)
		}
		for _, in := range r.Collateral.SNPVCEKs {
			c.SNPVCEKs = append(c.SNPVCEKs, in.Data)
		}
		if r.Collateral.TDXDcapQVL != nil {
			c.TDXDcapQVL = r.Collateral.TDXDcapQVL.Data
		}
		if r.Collateral.TDXSet != nil {
			c.TDXSet = r.Collateral.TDXSet.Data
		}
		rj.Collateral = c
	}
	if r.Domain.Registry != (common.Address{}) {
		reg := r.Domain.Registry
		rj.Registry = &reg
	}
	if b := r.Binding; b != nil {
		rj.Binding = &bindingJSON{MachineID: &b.MachineID, TEEKey: &b.TEEKey, AnchorBlockNumber: &b.AnchorBlockNumber, AnchorBlockHash: &b.AnchorBlockHash}
	}
	return json.Marshal(rj)
}
