package devnet

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// explorerRoots is the test_roots part of the explorer's config.json.
type explorerRoots struct {
	Label string `json:"label"`
	Roots struct {
		SNP []struct {
			ProductLine string `json:"productLine"`
			ARK, ASK    string
			ASVK        string `json:"asvk"`
		} `json:"snp"`
		TDXRoot string `json:"tdxRoot"`
	} `json:"roots"`
}

// TestExplorerReverifiesDevnetVerdicts: what the explorer's re-verification does in
// the browser, done natively against a running devnet. The roots its config.json
// serves, with the node's archive, reproduce every machine's on-chain verdict hash;
// AMD's and Intel's production roots (the default) do not.
func TestExplorerReverifiesDevnetVerdicts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	d := startAttested(ctx, t)
	get := func(path string) []byte {
		t.Helper()
		res, err := http.Get(d.APIURL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s (%v)", path, res.StatusCode, b, err)
		}
		return b
	}
	var cfg struct {
		TestRoots *explorerRoots `json:"test_roots"`
	}
	if err := json.Unmarshal(get("/explorer/config.json"), &cfg); err != nil || cfg.TestRoots == nil || cfg.TestRoots.Label != "devnet" {
		t.Fatalf("explorer config has no devnet test roots: %+v (%v)", cfg.TestRoots, err)
	}
	served := devnetVerifier(t, cfg.TestRoots)
	if ark := cfg.TestRoots.Roots.SNP[0].ARK; string(pemBytes(t, ark)) != string(d.SNP.ARK().Raw) {
		t.Errorf("served ARK is not the devnet's")
	}
	vendor, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range d.Machines {
		rs := m.Rounds()
		if len(rs) == 0 {
			t.Fatalf("%s: no round", m.Name)
		}
		onChain := rs[0].Verdict.Digest(d.Registry.Domain())
		req := archivedRequest(t, get, onChain)
		res, err := served.Verify(ctx, req)
		if err != nil {
			t.Fatalf("%s under the served roots: %v", m.Name, err)
		}
		if res.VerdictHash != onChain || !res.Decision.Trusted {
			t.Errorf("%s under the served devnet roots: %s (trusted %v), on-chain %s", m.Name, res.VerdictHash, res.Decision.Trusted, onChain)
		}
		res, err = vendor.Verify(ctx, req)
		if err != nil {
			t.Fatalf("%s under vendor roots: %v", m.Name, err)
		}
		if res.VerdictHash == onChain || res.Appraisal.Authentic {
			t.Errorf("%s reproduced under AMD's and Intel's roots: authentic %v", m.Name, res.Appraisal.Authentic)
		}
	}
}

// archivedRequest is the request the explorer builds for a verdict from the node's
// API: the audit record, the archived evidence, policy and collateral.
func archivedRequest(t *testing.T, get func(string) []byte, h common.Hash) *verifier.Request {
	t.Helper()
	var view api.VerdictView
	if err := json.Unmarshal(get("/v1/verdicts/"+h.Hex()), &view); err != nil {
		t.Fatal(err)
	}
	var rec audit.Record
	if err := json.Unmarshal(view.Audit, &rec); err != nil {
		t.Fatalf("audit record of %s: %v", h, err)
	}
	req := &verifier.Request{
		Evidence: evidence.Input{Name: "archived evidence", Data: get("/v1/archive/evidence/" + rec.EvidenceHash.Hex())},
		Policy:   get("/v1/archive/policy/" + rec.PolicyHash.Hex()),
		At:       time.Unix(rec.AsOf, 0),
		Binding: &verifier.Binding{MachineID: rec.MachineID, TEEKey: rec.TEEKey,
			AnchorBlockNumber: rec.AnchorNumber, AnchorBlockHash: rec.AnchorHash},
	}
	req.Domain.ChainID, req.Domain.Registry = rec.ChainID, rec.Registry
	for _, c := range rec.Collateral {
		in := evidence.Input{Name: c.Kind, Data: get("/v1/archive/collateral/" + c.SHA256.Hex())}
		if !audit.AddArchived(&req.Collateral, c.Kind, in) {
			t.Fatalf("audit record names collateral of kind %q", c.Kind)
		}
	}
	return req
}

// devnetVerifier trusts only the roots the explorer's config serves.
func devnetVerifier(t *testing.T, r *explorerRoots) *verifier.Verifier {
	t.Helper()
	var sets []appraise.SNPRootSet
	for _, s := range r.Roots.SNP {
		set := appraise.SNPRootSet{ProductLine: s.ProductLine, ARK: pemCert(t, s.ARK), ASK: pemCert(t, s.ASK)}
		if s.ASVK != "" {
			set.ASVK = pemCert(t, s.ASVK)
		}
		sets = append(sets, set)
	}
	snp, err := appraise.NewSNPRoots(sets...)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{SNPRoots: snp, TDXRoot: pemCert(t, r.Roots.TDXRoot)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func pemBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("not PEM: %.40q", s)
	}
	return b.Bytes
}

func pemCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(pemBytes(t, s))
	if err != nil {
		t.Fatal(fmt.Errorf("served root: %w", err))
	}
	return c
}
