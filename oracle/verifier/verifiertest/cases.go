// Package verifiertest holds the verification cases that tests of the verifier run
// everywhere it is built (natively, through `teeoracle verify`, and as WebAssembly):
// every piece of real evidence in testdata/ and ../shared/vectors, each with the
// request for package verifier and the `teeoracle verify` flags for the same inputs.
// It reads files and is for tests only.
package verifiertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// Case is one verification: a request and the equivalent `teeoracle verify` flags.
type Case struct {
	Name    string
	Request *verifier.Request
	// Args are the verify command's flags for the same inputs (without --json).
	Args []string
}

// Set is every case that could be built.
type Set struct {
	Cases []Case
	// SharedMissing is set when ../shared/vectors is absent: the cases from it are
	// then not in Cases. Tests skip on it, or fail when CI is set.
	SharedMissing error
}

// Times at which each vector's certificates and collateral are valid (see
// testdata/PROVENANCE.md and ../shared/vectors/README.md).
const (
	MilanAt       = "2022-09-24T01:00:00Z"
	SPRE4At       = "2023-07-01T01:00:00Z"
	TurinAt       = "2025-07-18T00:00:00Z"
	VLEKMilanAt   = "2024-12-11T00:00:00Z"
	TDXV5At       = "2026-02-19T00:00:00Z"
	TDXV5ExpireAt = "2026-04-01T00:00:00Z"
)

// Load builds the cases from repoRoot's testdata and repoRoot/../shared/vectors.
// Files the CLI needs in another layout (the TDX PCS directory, a test-only CRL) are
// written under tmp.
func Load(repoRoot, tmp string) (*Set, error) {
	s := &Set{}
	td := func(p ...string) string { return filepath.Join(append([]string{repoRoot, "testdata"}, p...)...) }
	b := &builder{set: s}

	// go-sev-guest's Milan report in every input form.
	milan := td("sev-snp", "milan-v2")
	b.add("snp-milan-v2/raw+der/default", MilanAt, []string{filepath.Join(milan, "report.bin")}, filepath.Join(milan, "vcek.der"))
	b.add("snp-milan-v2/raw+pem/lab-permissive", MilanAt, []string{filepath.Join(milan, "report.bin"), "--policy", td("policies", "lab-permissive.yaml")}, filepath.Join(milan, "vcek.pem"))
	b.add("snp-milan-v2/configfs", MilanAt, []string{filepath.Join(milan, "configfs.json")})
	b.add("snp-milan-v2/bundle", MilanAt, []string{filepath.Join(milan, "bundle.json")})
	b.add("snp-milan-v2/certtable", MilanAt, []string{filepath.Join(milan, "report.bin")}, filepath.Join(milan, "certtable.bin"))
	b.add("snp-milan-v2/snp-production", MilanAt, []string{filepath.Join(milan, "report.bin"), "--policy", td("policies", "snp-production.yaml")}, filepath.Join(milan, "vcek.der"))
	b.add("snp-milan-v2/before-vcek", "2022-09-23T00:00:00Z", []string{filepath.Join(milan, "report.bin")}, filepath.Join(milan, "vcek.der"))
	b.add("snp-milan-v2/binding", MilanAt, []string{filepath.Join(milan, "report.bin"), "--policy", td("policies", "lab-permissive.yaml"),
		"--chain-id", "31337", "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"--machine-id", "0x" + strings.Repeat("11", 32), "--tee-key", "0x" + strings.Repeat("22", 20),
		"--anchor-number", "7", "--anchor-hash", "0x" + strings.Repeat("33", 32)}, filepath.Join(milan, "vcek.der"))
	// The report's own report data (read from the report: offset 0x50, 64 bytes).
	if raw, err := os.ReadFile(filepath.Join(milan, "report.bin")); err == nil && len(raw) >= 0x90 {
		b.add("snp-milan-v2/report-data", MilanAt, []string{filepath.Join(milan, "report.bin"), "--policy", td("policies", "lab-permissive.yaml"),
			"--chain-id", "1", "--report-data", hexutil.Encode(raw[0x50:0x90])}, filepath.Join(milan, "vcek.der"))
	}
	// A CRL that names ARK-Milan as issuer but is signed by a key of ours: the
	// appraisal must find it (local collateral) and fail its signature.
	if crl, err := forgedARKCRL("Milan", time.Date(2022, 9, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return nil, err
	} else {
		p := filepath.Join(tmp, "forged-ark-milan.crl")
		if err := os.WriteFile(p, crl, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		b.add("snp-milan-v2/forged-crl", MilanAt, []string{filepath.Join(milan, "report.bin"), "--collateral", p}, filepath.Join(milan, "vcek.der"))
	}

	// go-tdx-guest's v4 quote with its saved PCS responses, as a PCS directory.
	pcs, err := writePCSDir(td("tdx", "spr-e4", "pcs"), filepath.Join(tmp, "spr-e4-pcs"), "50806f000000")
	if err != nil {
		return nil, err
	}
	b.add("tdx-spr-e4/pcs/default", SPRE4At, []string{td("tdx", "spr-e4", "quote.bin"), "--collateral", pcs})
	b.add("tdx-spr-e4/pcs/lab-permissive", SPRE4At, []string{td("tdx", "spr-e4", "quote.bin"), "--collateral", pcs, "--policy", td("policies", "lab-permissive.yaml")})

	shared := filepath.Join(repoRoot, "..", "shared", "vectors")
	if _, err := os.Stat(shared); err != nil {
		s.SharedMissing = fmt.Errorf("shared vectors not present (%s): %w", shared, err)
	} else {
		turin, vlek, v5 := filepath.Join(shared, "snp-turin"), filepath.Join(shared, "snp-vlek-milan"), filepath.Join(shared, "tdx-v5-outdated")
		b.add("snp-turin/default", TurinAt, []string{filepath.Join(turin, "report.bin")}, filepath.Join(turin, "vcek.der"))
		b.add("snp-turin/before-vcek", "2025-07-17T00:00:00Z", []string{filepath.Join(turin, "report.bin")}, filepath.Join(turin, "vcek.der"))
		b.add("snp-vlek-milan/default", VLEKMilanAt, []string{filepath.Join(vlek, "report.bin")}, filepath.Join(vlek, "vlek.pem"))
		b.add("snp-vlek-milan/snp-production", VLEKMilanAt, []string{filepath.Join(vlek, "report.bin"), "--policy", td("policies", "snp-production.yaml")}, filepath.Join(vlek, "vlek.pem"))
		coll := filepath.Join(v5, "collateral.json")
		b.add("tdx-v5-outdated/default", TDXV5At, []string{filepath.Join(v5, "quote.bin"), "--collateral", coll})
		b.add("tdx-v5-outdated/lab-permissive", TDXV5At, []string{filepath.Join(v5, "quote.bin"), "--collateral", coll, "--policy", td("policies", "lab-permissive.yaml")})
		b.add("tdx-v5-outdated/tdx-grace", TDXV5At, []string{filepath.Join(v5, "quote.bin"), "--collateral", coll, "--policy", td("policies", "tdx-grace.json")})
		b.add("tdx-v5-outdated/expired", TDXV5ExpireAt, []string{filepath.Join(v5, "quote.bin"), "--collateral", coll})
	}
	if b.err != nil {
		return nil, b.err
	}
	return s, nil
}

type builder struct {
	set *Set
	err error
}

// add builds a case from the verify flags: args[0] is the evidence file, then flags;
// certs are --cert files.
func (b *builder) add(name, at string, args []string, certs ...string) {
	if b.err != nil {
		return
	}
	c, err := build(name, at, args, certs)
	if err != nil {
		b.err = fmt.Errorf("case %s: %w", name, err)
		return
	}
	b.set.Cases = append(b.set.Cases, c)
}

func build(name, at string, args []string, certs []string) (Case, error) {
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return Case{}, err
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return Case{}, err
	}
	req := &verifier.Request{Evidence: evidence.Input{Name: filepath.Base(args[0]), Data: data}, At: t}
	cli := []string{"--evidence", args[0], "--at", at, "--offline"}
	for _, c := range certs {
		d, err := os.ReadFile(c)
		if err != nil {
			return Case{}, err
		}
		req.Certificates = append(req.Certificates, evidence.Input{Name: filepath.Base(c), Data: d})
		cli = append(cli, "--cert", c)
	}
	var bind verifier.Binding
	bound := false
	flags := args[1:]
	for i := 0; i+1 < len(flags); i += 2 {
		flag, val := flags[i], flags[i+1]
		cli = append(cli, flag, val)
		switch flag {
		case "--policy":
			if req.Policy, err = os.ReadFile(val); err != nil {
				return Case{}, err
			}
		case "--collateral":
			if err := readCollateral(req, val); err != nil {
				return Case{}, err
			}
		case "--chain-id":
			if _, err := fmt.Sscan(val, &req.Domain.ChainID); err != nil {
				return Case{}, err
			}
		case "--registry":
			req.Domain.Registry = common.HexToAddress(val)
		case "--machine-id":
			bind.MachineID, bound = common.HexToHash(val), true
		case "--tee-key":
			bind.TEEKey = common.HexToAddress(val)
		case "--anchor-number":
			if _, err := fmt.Sscan(val, &bind.AnchorBlockNumber); err != nil {
				return Case{}, err
			}
		case "--anchor-hash":
			bind.AnchorBlockHash = common.HexToHash(val)
		case "--report-data":
			if req.ReportData, err = hexutil.Decode(val); err != nil {
				return Case{}, err
			}
		default:
			return Case{}, fmt.Errorf("flag %s not mapped to a request field", flag)
		}
	}
	if bound {
		req.Binding = &bind
	}
	return Case{Name: name, Request: req, Args: cli}, nil
}

// readCollateral maps --collateral (a file or a directory) to the request's
// collateral as the verify command reads it: a directory of PCS files, a dcap-qvl
// JSON file, or an AMD CRL.
func readCollateral(req *verifier.Request, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		req.Collateral.TDXPCS = map[string][]byte{}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(path, e.Name()))
			if err != nil {
				return err
			}
			req.Collateral.TDXPCS[e.Name()] = b
		}
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if strings.HasSuffix(path, ".json") {
		req.Collateral.TDXDcapQVL = &evidence.Input{Name: filepath.Base(path), Data: b}
	} else {
		req.Collateral.SNPCRLs = append(req.Collateral.SNPCRLs, evidence.Input{Name: filepath.Base(path), Data: b})
	}
	return nil
}

// writePCSDir lays testdata's saved PCS responses (body files and "Header: value"
// files, testdata/PROVENANCE.md) out as docs/collateral.md's PCS directory.
func writePCSDir(src, dst, fmspc string) (string, error) {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return "", err
	}
	copies := []struct{ from, to string }{
		{"tcb_info.json", "tcbinfo-" + fmspc + ".json"},
		{"qe_identity.json", "qeidentity.json"},
		{"pckcrl.der", "pckcrl-platform.der"},
		{"rootcrl.der", "rootcrl.der"},
	}
	for _, c := range copies {
		b, err := os.ReadFile(filepath.Join(src, c.from))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dst, c.to), b, 0o600); err != nil {
			return "", err
		}
	}
	headers := []struct{ from, to string }{
		{"tcb_info.headers", "tcbinfo-" + fmspc + ".issuer-chain.pem"},
		{"qe_identity.headers", "qeidentity.issuer-chain.pem"},
		{"pckcrl.headers", "pckcrl-platform.issuer-chain.pem"},
	}
	for _, h := range headers {
		b, err := os.ReadFile(filepath.Join(src, h.from))
		if err != nil {
			return "", err
		}
		_, v, ok := strings.Cut(strings.TrimSpace(string(b)), ": ")
		if !ok {
			return "", fmt.Errorf("%s: not a \"Header: value\" line", h.from)
		}
		// Stored decoded, the other form the directory layout accepts.
		pemChain, err := url.QueryUnescape(v)
		if err != nil {
			return "", fmt.Errorf("%s: %w", h.from, err)
		}
		if err := os.WriteFile(filepath.Join(dst, h.to), []byte(pemChain), 0o600); err != nil {
			return "", err
		}
	}
	return dst, nil
}

// forgedARKCRL returns a DER CRL whose issuer is named like AMD's ARK of productLine
// but which is signed by a key made here.
func forgedARKCRL(productLine string, thisUpdate time.Time) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	issuer := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ARK-" + productLine},
		NotBefore:             thisUpdate.Add(-time.Hour),
		NotAfter:              thisUpdate.Add(24 * time.Hour * 365),
		KeyUsage:              x509.KeyUsageCRLSign | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, issuer, issuer, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(60 * 24 * time.Hour),
	}, cert, key)
	if err != nil {
		return nil, errors.Join(errors.New("forged CRL"), err)
	}
	return crl, nil
}
