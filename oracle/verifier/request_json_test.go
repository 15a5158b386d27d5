package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// TestRequestJSONRoundTrip: every case survives MarshalJSON and ParseRequest, and the
// parsed request verifies to the same report.
func TestRequestJSONRoundTrip(t *testing.T) {
	v := newVerifier(t)
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			data, err := json.Marshal(c.Request)
			if err != nil {
				t.Fatal(err)
			}
			req, err := verifier.ParseRequest(data)
			if err != nil {
				t.Fatal(err)
			}
			want, err := v.Verify(context.Background(), c.Request)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(reportJSON(t, got), reportJSON(t, want)) {
				t.Error("the request's JSON form verifies differently")
			}
			again, err := json.Marshal(req)
			if err != nil || !bytes.Equal(again, data) {
				t.Errorf("second encoding differs (err %v)", err)
			}
		})
	}
}

func TestParseRequestRejects(t *testing.T) {
	const ev = `"evidence":"AAEC","at":"2022-09-24T01:00:00Z"`
	hash := `"0x` + strings.Repeat("11", 32) + `"`
	tests := map[string]string{
		"not JSON":             `{`,
		"not an object":        `[1]`,
		"unknown field":        `{` + ev + `,"evidense":"AA=="}`,
		"trailing data":        `{` + ev + `} {}`,
		"no evidence":          `{"at":"2022-09-24T01:00:00Z"}`,
		"empty evidence":       `{"evidence":"","at":"2022-09-24T01:00:00Z"}`,
		"evidence not base64":  `{"evidence":"!!","at":"2022-09-24T01:00:00Z"}`,
		"no time":              `{"evidence":"AAEC"}`,
		"time not RFC 3339":    `{"evidence":"AAEC","at":"yesterday"}`,
		"short registry":       `{` + ev + `,"registry":"0x1234"}`,
		"negative chain id":    `{` + ev + `,"chain_id":-1}`,
		"incomplete binding":   `{` + ev + `,"binding":{"machine_id":` + hash + `}}`,
		"short machine id":     `{` + ev + `,"binding":{"machine_id":"0x11","tee_key":"0x` + strings.Repeat("22", 20) + `","anchor_block_number":1,"anchor_block_hash":` + hash + `}}`,
		"report data 32 bytes": `{` + ev + `,"report_data":` + hash + `}`,
		"unknown collateral":   `{` + ev + `,"collateral":{"amd":[]}}`,
		"empty certificate":    `{` + ev + `,"certificates":["AA==",""]}`,
		"empty snp crl":        `{` + ev + `,"collateral":{"snp_crls":[""]}}`,
		"empty snp vcek":       `{` + ev + `,"collateral":{"snp_vceks":[""]}}`,
		"empty dcap-qvl":       `{` + ev + `,"collateral":{"tdx_dcap_qvl":""}}`,
		"empty tdx set":        `{` + ev + `,"collateral":{"tdx_set":""}}`,
		"empty pcs entry":      `{` + ev + `,"collateral":{"tdx_pcs":{"tcb_info":""}}}`,
		"too large":            `{"evidence":"` + strings.Repeat("A", verifier.MaxRequestSize) + `","at":"2022-09-24T01:00:00Z"}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			req, err := verifier.ParseRequest([]byte(in))
			if !errors.Is(err, verifier.ErrRequest) || req != nil {
				t.Errorf("err = %v, want ErrRequest", err)
			}
		})
	}
}

func TestParseRequestFields(t *testing.T) {
	in := `{"evidence":"AAEC","evidence_name":"r.bin","certificates":["AQ=="],"policy":"dmVyc2lvbjogMQo=",
		"collateral":{"snp_crls":["Ag=="],"tdx_pcs":{"rootcrl.der":"Aw=="}},
		"at":"2022-09-24T01:00:00.5+02:00","chain_id":31337,"registry":"0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"binding":{"machine_id":"0x` + strings.Repeat("11", 32) + `","tee_key":"0x` + strings.Repeat("22", 20) + `","anchor_block_number":7,"anchor_block_hash":"0x` + strings.Repeat("33", 32) + `"},
		"report_data":"0x` + strings.Repeat("44", 64) + `"}`
	req, err := verifier.ParseRequest([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if req.Evidence.Name != "r.bin" || !bytes.Equal(req.Evidence.Data, []byte{0, 1, 2}) || len(req.Certificates) != 1 ||
		string(req.Policy) != "version: 1\n" || len(req.Collateral.SNPCRLs) != 1 || !reflect.DeepEqual(req.Collateral.TDXPCS, map[string][]byte{"rootcrl.der": {3}}) {
		t.Errorf("inputs %+v", req)
	}
	if req.At.Unix() != 1663974000 || req.Domain.ChainID != 31337 || req.Domain.Registry.Hex() != "0x5FbDB2315678afecb367f032d93F642f64180aa3" {
		t.Errorf("at %s domain %+v", req.At, req.Domain)
	}
	if req.Binding == nil || req.Binding.AnchorBlockNumber != 7 || req.Binding.MachineID[0] != 0x11 || req.Binding.TEEKey[19] != 0x22 ||
		req.Binding.AnchorBlockHash[31] != 0x33 || len(req.ReportData) != 64 {
		t.Errorf("binding %+v report data %x", req.Binding, req.ReportData)
	}
}
