package verifier_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// setupOf is the Setup of a case's verify flags (--evidence, --cert, --policy,
// --collateral, --offline; the time is the request's).
func setupOf(t *testing.T, args []string) verifier.Setup {
	t.Helper()
	var s verifier.Setup
	for i := 0; i < len(args); i++ {
		flag := args[i]
		if flag == "--offline" {
			s.Sources.Offline = true
			continue
		}
		i++
		switch flag {
		case "--evidence":
			s.Evidence = args[i]
		case "--cert":
			s.Certificates = append(s.Certificates, args[i])
		case "--policy":
			s.Policy = args[i]
		case "--collateral":
			s.Sources.Local = args[i]
		case "--at":
		default:
			t.Fatalf("flag %s not mapped to Setup", flag)
		}
	}
	return s
}

// openAndVerify verifies what Open makes of s as of at.
func openAndVerify(t *testing.T, s verifier.Setup, at time.Time) *verifier.Result {
	t.Helper()
	v, req, err := verifier.Open(s)
	if err != nil {
		t.Fatal(err)
	}
	req.At = at
	res, err := v.Verify(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Open reads the files a case names (collateral from a CRL file and from a PCS
// directory, certificates as PEM, a policy) into the request and verifier that give
// the same report, byte for byte, as the case's request built in memory.
func TestOpenMatchesRequest(t *testing.T) {
	cases := loadCases(t)
	for _, name := range []string{"snp-milan-v2/forged-crl", "snp-milan-v2/raw+pem/lab-permissive", "tdx-spr-e4/pcs/lab-permissive"} {
		t.Run(name, func(t *testing.T) {
			c := caseByName(t, cases, name)
			got := openAndVerify(t, setupOf(t, c.Args), c.Request.At)
			ref, err := verifier.New(verifier.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := ref.Verify(context.Background(), c.Request)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := reportJSON(t, got), reportJSON(t, want); !bytes.Equal(g, w) {
				t.Errorf("Open's report differs from the in-memory request's\nopen:\n%s\nrequest:\n%s", g, w)
			}
		})
	}
}

// Open refuses files it cannot read, naming the input, and a TDX quote offline with
// neither collateral nor a cache gets no appraiser that could fetch any.
func TestOpenRefusals(t *testing.T) {
	quote := filepath.Join(repoRoot, "testdata", "tdx", "spr-e4", "quote.bin")
	missing := filepath.Join(t.TempDir(), "missing")
	for name, s := range map[string]verifier.Setup{
		"evidence":    {Files: verifier.Files{Evidence: missing}, Sources: collateral.SourceOptions{Offline: true}},
		"certificate": {Files: verifier.Files{Evidence: quote, Certificates: []string{missing}}, Sources: collateral.SourceOptions{Offline: true}},
		"policy":      {Files: verifier.Files{Evidence: quote, Policy: missing}, Sources: collateral.SourceOptions{Offline: true}},
		"collateral":  {Files: verifier.Files{Evidence: quote}, Sources: collateral.SourceOptions{Local: missing}},
	} {
		if _, _, err := verifier.Open(s); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("missing %s: %v, want fs.ErrNotExist", name, err)
		}
	}
	v, req, err := verifier.Open(verifier.Setup{Files: verifier.Files{Evidence: quote}, Sources: collateral.SourceOptions{Offline: true}})
	if err != nil {
		t.Fatal(err)
	}
	req.At = caseByName(t, loadCases(t), "tdx-spr-e4/pcs/default").Request.At
	if _, err := v.Verify(context.Background(), req); !errors.Is(err, verifier.ErrNeedCollateral) {
		t.Errorf("TDX offline without collateral: %v, want ErrNeedCollateral", err)
	}
}

// Without collateral given as a path, the cache serves the appraiser (offline
// here: the CRL is not cached, and the check says the cache had none); with
// collateral given, the cache is neither opened nor created.
func TestOpenCollateralSources(t *testing.T) {
	cases := loadCases(t)
	c := caseByName(t, cases, "snp-milan-v2/raw+der/default")
	s := setupOf(t, c.Args)
	s.Sources = collateral.SourceOptions{CacheDir: filepath.Join(t.TempDir(), "cache"), Offline: true}
	res := openAndVerify(t, s, c.Request.At)
	if crl := checkByName(res.Appraisal, appraise.CheckSNPCRL); crl == nil || crl.Outcome != appraise.Skip || !strings.Contains(crl.Detail, "collateral cache is offline") {
		t.Errorf("CRL check %+v: want it skipped for want of a cached CRL", crl)
	}

	c = caseByName(t, cases, "snp-milan-v2/forged-crl")
	s = setupOf(t, c.Args)
	s.Sources.CacheDir = filepath.Join(t.TempDir(), "unused-cache")
	s.Sources.Offline = false
	if _, _, err := verifier.Open(s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Sources.CacheDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cache directory beside --collateral: %v, want it never created", err)
	}
}

func checkByName(a *appraise.Appraisal, name string) *appraise.Check {
	for i := range a.Checks {
		if a.Checks[i].Name == name {
			return &a.Checks[i]
		}
	}
	return nil
}

// Config.Run verifies as Open and Verify do, with the request fields it carries
// (a time cut to whole seconds), and names the file of a policy that does not parse.
func TestConfigRun(t *testing.T) {
	c := caseByName(t, loadCases(t), "snp-milan-v2/raw+pem/lab-permissive")
	cfg := verifier.Config{Setup: setupOf(t, c.Args), At: c.Request.At.Add(500 * time.Millisecond), Domain: c.Request.Domain}
	got, err := cfg.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if g, w := reportJSON(t, got), reportJSON(t, openAndVerify(t, cfg.Setup, c.Request.At)); !bytes.Equal(g, w) {
		t.Errorf("Run's report differs from Open and Verify's\nrun:\n%s\nopen:\n%s", g, w)
	}

	bad := filepath.Join(t.TempDir(), "bad-policy.yaml")
	if err := os.WriteFile(bad, []byte("rules: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Policy = bad
	if _, err := cfg.Run(context.Background()); !errors.Is(err, policy.ErrInvalid) || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("bad policy: %v, want policy.ErrInvalid named by its file", err)
	}
}
