package collateral

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/teeoracle/teeoracle/internal/x509memo"
)

// ErrTDXCollateral is wrapped by every error about Intel collateral that is missing or
// cannot be read.
var ErrTDXCollateral = errors.New("invalid TDX collateral")

// SignedJSON is a JSON object Intel signs (TCB Info or QE Identity): the exact bytes
// that were signed, the raw 64-byte ECDSA P-256 signature (r||s), and the issuer
// chain Intel serves beside it (DER, signing certificate first, then the root).
type SignedJSON struct {
	Body        []byte
	Signature   []byte
	IssuerChain [][]byte
}

// TDXCollateral is everything from Intel PCS that a TDX quote's appraisal needs. Its
// byte fields are exactly what Intel signed or served, so that their SHA-256 hashes
// identify them in an appraisal. It is never modified after it is built; share it
// freely.
type TDXCollateral struct {
	TCBInfo    SignedJSON
	QEIdentity SignedJSON
	// PCKCRL is the DER CRL of the PCK Platform or Processor CA; PCKCRLIssuerChain its
	// issuer chain (CA certificate, then the root).
	PCKCRL            []byte
	PCKCRLIssuerChain [][]byte
	// RootCACRL is the DER CRL of the Intel SGX Root CA.
	RootCACRL []byte
}

// FetchTDX returns c itself, so a fixed collateral set (from an import) is a
// collateral source. The appraisal checks that it matches the quote's FMSPC and CA.
func (c *TDXCollateral) FetchTDX(context.Context, string, string) (*TDXCollateral, error) {
	return c, nil
}

// PCS collateral file names in a directory of saved Intel PCS responses; see
// docs/collateral.md.
const (
	pcsTCBInfoPrefix    = "tcbinfo-"
	pcsQEIdentityFile   = "qeidentity.json"
	pcsPCKCRLPrefix     = "pckcrl-"
	pcsRootCRLFile      = "rootcrl.der"
	pcsIssuerChainExt   = ".issuer-chain.pem"
	pcsTCBInfoPhrase    = "tcbInfo"
	pcsQEIdentityPhrase = "enclaveIdentity"
)

// PCS issuer-chain response headers, in the capitalisation Go's http.Header uses.
// TDX TCB Info is served with TCB-Info-Issuer-Chain; SGX's with
// SGX-TCB-Info-Issuer-Chain, which is accepted too.
var (
	pcsTCBInfoChainHeaders    = []string{"Tcb-Info-Issuer-Chain", "Sgx-Tcb-Info-Issuer-Chain"}
	pcsQEIdentityChainHeaders = []string{"Sgx-Enclave-Identity-Issuer-Chain"}
	pcsPCKCRLChainHeaders     = []string{"Sgx-Pck-Crl-Issuer-Chain"}
)

// PCSDir is collateral imported from a directory of saved Intel PCS responses. It
// holds TCB Info for any number of FMSPCs and PCK CRLs for both CAs, and picks the
// right ones for each quote.
type PCSDir struct {
	tcbInfo    map[string]SignedJSON // by lower-case FMSPC
	qeIdentity SignedJSON
	pckCRL     map[string]pcsCRL // by CA: "platform", "processor"
	rootCRL    []byte
}

type pcsCRL struct {
	der   []byte
	chain [][]byte
}

// LoadPCSDir reads a directory laid out as docs/collateral.md describes:
//
//	tcbinfo-<fmspc>.json               GET /tdx/certification/v4/tcb?fmspc=<fmspc> body
//	tcbinfo-<fmspc>.issuer-chain.pem   its TCB-Info-Issuer-Chain header
//	qeidentity.json                    GET /tdx/certification/v4/qe/identity body
//	qeidentity.issuer-chain.pem        its SGX-Enclave-Identity-Issuer-Chain header
//	pckcrl-<ca>.der (or .pem)          GET /sgx/certification/v4/pckcrl?ca=<ca> body
//	pckcrl-<ca>.issuer-chain.pem       its SGX-PCK-CRL-Issuer-Chain header
//	rootcrl.der (or .pem)              Intel SGX Root CA CRL
//
// Issuer-chain files hold the header value either URL-decoded (plain PEM) or exactly
// as served (URL-encoded PEM).
//
// It also reads saved responses under their own names, one FMSPC and one CA
// (tcb_info.json, qe_identity.json, pckcrl.der, each with a .headers file holding
// the issuer-chain response header as a "Name: value" line, and rootcrl.der), as
// testdata/tdx/spr-e4/pcs holds them.
func LoadPCSDir(dir string) (*PCSDir, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: read PCS directory: %w", ErrTDXCollateral, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return parsePCS(dir, names, func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrTDXCollateral, err)
		}
		return b, nil
	})
}

// ParsePCSFiles is LoadPCSDir over files held in memory (file name to content), for
// callers without a filesystem (the WebAssembly verifier, API requests). dir only
// names the set in errors.
func ParsePCSFiles(dir string, files map[string][]byte) (*PCSDir, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	// Sorted, so that errors (and, with two files of one FMSPC differing only in
	// case, the one kept) do not depend on map order.
	sort.Strings(names)
	return parsePCS(dir, names, func(name string) ([]byte, error) {
		b, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%w: %s: %w", ErrTDXCollateral, filepath.Join(dir, name), fs.ErrNotExist)
		}
		return b, nil
	})
}

// parsePCS reads the PCS layout from the files named, through read.
func parsePCS(dir string, names []string, readFile func(name string) ([]byte, error)) (*PCSDir, error) {
	names, aliases, err := savedResponseAliases(dir, names, readFile)
	if err != nil {
		return nil, err
	}
	r := &pcsReader{dir: dir, readFile: readFile, aliases: aliases,
		d: &PCSDir{tcbInfo: map[string]SignedJSON{}, pckCRL: map[string]pcsCRL{}}}
	for _, name := range names {
		if strings.HasSuffix(name, pcsIssuerChainExt) {
			continue
		}
		if err := r.file(name); err != nil {
			return nil, err
		}
	}
	if err := r.complete(); err != nil {
		return nil, err
	}
	return r.d, nil
}

// pcsReader fills a PCSDir from a directory's files.
type pcsReader struct {
	dir      string
	readFile func(name string) ([]byte, error)
	aliases  map[string]func() ([]byte, error) // saved responses standing for layout names
	d        *PCSDir
}

func (r *pcsReader) read(name string) ([]byte, error) {
	if a, ok := r.aliases[name]; ok {
		return a()
	}
	return r.readFile(name)
}

// chainFor reads the issuer chain that comes with the file named base.
func (r *pcsReader) chainFor(base string) ([][]byte, error) {
	name := base + pcsIssuerChainExt
	b, err := r.read(name)
	if err != nil {
		return nil, err
	}
	chain, err := ParseIssuerChain(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(r.dir, name), err)
	}
	return chain, nil
}

// signed reads a signed JSON file and its issuer chain.
func (r *pcsReader) signed(name, phrase string) (SignedJSON, error) {
	body, err := r.read(name)
	if err != nil {
		return SignedJSON{}, err
	}
	chain, err := r.chainFor(strings.TrimSuffix(name, ".json"))
	if err != nil {
		return SignedJSON{}, err
	}
	sj, err := ParsePCSSignedJSON(body, phrase, chain)
	if err != nil {
		return SignedJSON{}, fmt.Errorf("%s: %w", filepath.Join(r.dir, name), err)
	}
	return sj, nil
}

// crl reads a CRL file (DER or PEM) as DER.
func (r *pcsReader) crl(name string) ([]byte, error) {
	body, err := r.read(name)
	if err != nil {
		return nil, err
	}
	der, err := CRLToDER(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(r.dir, name), err)
	}
	return der, nil
}

// file reads one file of the layout into the PCSDir; other files are ignored.
func (r *pcsReader) file(name string) error {
	var err error
	switch {
	case strings.HasPrefix(name, pcsTCBInfoPrefix) && strings.HasSuffix(name, ".json"):
		fmspc := strings.ToLower(strings.TrimPrefix(strings.TrimSuffix(name, ".json"), pcsTCBInfoPrefix))
		r.d.tcbInfo[fmspc], err = r.signed(name, pcsTCBInfoPhrase)
	case name == pcsQEIdentityFile:
		r.d.qeIdentity, err = r.signed(name, pcsQEIdentityPhrase)
	case strings.HasPrefix(name, pcsPCKCRLPrefix) && (strings.HasSuffix(name, ".der") || strings.HasSuffix(name, ".pem")):
		base := strings.TrimSuffix(strings.TrimSuffix(name, ".der"), ".pem")
		ca := strings.ToLower(strings.TrimPrefix(base, pcsPCKCRLPrefix))
		der, err := r.crl(name)
		if err != nil {
			return err
		}
		chain, err := r.chainFor(base)
		if err != nil {
			return err
		}
		r.d.pckCRL[ca] = pcsCRL{der: der, chain: chain}
	case name == pcsRootCRLFile || name == "rootcrl.pem":
		r.d.rootCRL, err = r.crl(name)
	}
	return err
}

// complete refuses a directory missing a part of the collateral.
func (r *pcsReader) complete() error {
	switch {
	case len(r.d.tcbInfo) == 0:
		return fmt.Errorf("%w: %s has no %s<fmspc>.json", ErrTDXCollateral, r.dir, pcsTCBInfoPrefix)
	case r.d.qeIdentity.Body == nil:
		return fmt.Errorf("%w: %s has no %s", ErrTDXCollateral, r.dir, pcsQEIdentityFile)
	case len(r.d.pckCRL) == 0:
		return fmt.Errorf("%w: %s has no %s<ca>.der", ErrTDXCollateral, r.dir, pcsPCKCRLPrefix)
	case r.d.rootCRL == nil:
		return fmt.Errorf("%w: %s has no %s", ErrTDXCollateral, r.dir, pcsRootCRLFile)
	}
	return nil
}

// FetchTDX returns the collateral for a quote whose PCK certificate names fmspc
// (compared case-insensitively: Intel serves either case) and was issued by ca
// ("platform" or "processor").
func (d *PCSDir) FetchTDX(_ context.Context, fmspc, ca string) (*TDXCollateral, error) {
	ti, ok := d.tcbInfo[strings.ToLower(fmspc)]
	if !ok {
		return nil, fmt.Errorf("%w: no TCB Info for FMSPC %s", ErrTDXCollateral, fmspc)
	}
	crl, ok := d.pckCRL[strings.ToLower(ca)]
	if !ok {
		return nil, fmt.Errorf("%w: no PCK CRL for CA %q", ErrTDXCollateral, ca)
	}
	return &TDXCollateral{TCBInfo: ti, QEIdentity: d.qeIdentity, PCKCRL: crl.der, PCKCRLIssuerChain: crl.chain, RootCACRL: d.rootCRL}, nil
}

// ParsePCSSignedJSON splits a PCS TCB Info or QE Identity response body into the
// exact bytes of the signed object (the value of field, "tcbInfo" or
// "enclaveIdentity") and its signature.
func ParsePCSSignedJSON(body []byte, field string, chain [][]byte) (SignedJSON, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return SignedJSON{}, fmt.Errorf("%w: %s response is not JSON: %w", ErrTDXCollateral, field, err)
	}
	obj, ok := raw[field]
	if !ok {
		return SignedJSON{}, fmt.Errorf("%w: response has no %q field", ErrTDXCollateral, field)
	}
	var sigHex string
	if err := json.Unmarshal(raw["signature"], &sigHex); err != nil {
		return SignedJSON{}, fmt.Errorf("%w: %s response signature: %w", ErrTDXCollateral, field, err)
	}
	sig, err := decodeSignature(sigHex)
	if err != nil {
		return SignedJSON{}, fmt.Errorf("%s response: %w", field, err)
	}
	return SignedJSON{Body: []byte(obj), Signature: sig, IssuerChain: chain}, nil
}

func decodeSignature(s string) ([]byte, error) {
	sig, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not hex: %w", ErrTDXCollateral, err)
	}
	if len(sig) != 64 {
		return nil, fmt.Errorf("%w: signature is %d bytes, want 64 (r||s)", ErrTDXCollateral, len(sig))
	}
	return sig, nil
}

// ParseIssuerChain reads a PCS issuer-chain header value, URL-encoded as PCS serves it
// or already decoded, into DER certificates in the order given.
func ParseIssuerChain(v string) ([][]byte, error) {
	if strings.Contains(v, "%") {
		dec, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("%w: issuer chain is not URL-encoded PEM: %w", ErrTDXCollateral, err)
		}
		v = dec
	}
	var chain [][]byte
	rest := []byte(v)
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w: issuer chain has a %q PEM block", ErrTDXCollateral, blk.Type)
		}
		if _, err := x509memo.Certificate(blk.Bytes); err != nil {
			return nil, fmt.Errorf("%w: issuer chain certificate %d: %w", ErrTDXCollateral, len(chain), err)
		}
		chain = append(chain, blk.Bytes)
	}
	if len(chain) < 2 {
		return nil, fmt.Errorf("%w: issuer chain has %d certificates, want the signing certificate and the root", ErrTDXCollateral, len(chain))
	}
	return chain, nil
}

// CRLToDER accepts a CRL in DER or PEM ("X509 CRL") form and returns its DER bytes.
func CRLToDER(b []byte) ([]byte, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		if blk.Type != "X509 CRL" {
			return nil, fmt.Errorf("%w: CRL PEM block is %q", ErrTDXCollateral, blk.Type)
		}
		b = blk.Bytes
	}
	if _, err := x509memo.RevocationList(b); err != nil {
		return nil, fmt.Errorf("%w: CRL: %w", ErrTDXCollateral, err)
	}
	return b, nil
}

func pemChain(chain [][]byte) []byte {
	var out []byte
	for _, der := range chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return out
}
