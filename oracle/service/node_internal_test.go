package service

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
)

// newKeyFile writes a new key as a hex key file.
func newKeyFile(t *testing.T) (*ecdsa.PrivateKey, string) {
	t.Helper()
	key, _ := crypto.GenerateKey()
	keyFile := filepath.Join(t.TempDir(), "oracle.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(crypto.FromECDSA(key))), 0o600); err != nil {
		t.Fatal(err)
	}
	return key, keyFile
}

// The explorer is off without ExplorerRPCURL, and with it the page is given that
// URL, never RPCURL (which often carries an API key).
func TestNodeExplorerNeverShowsRPCURL(t *testing.T) {
	c := &NodeConfig{RPCURL: "https://eth.example/v2/SECRETKEY"}
	c.Registry = common.HexToAddress("0xaa")
	h, err := c.explorer()
	if err != nil || h != nil {
		t.Fatalf("without ExplorerRPCURL: handler %v, err %v; want no explorer", h, err)
	}
	c.ExplorerRPCURL = "https://public-rpc.example"
	if h, err = c.explorer(); err != nil || h == nil {
		t.Fatalf("with ExplorerRPCURL: %v", err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/config.json", nil))
	body := rec.Body.String() + fmt.Sprint(rec.Header())
	if !strings.Contains(body, "public-rpc.example") || strings.Contains(body, "SECRETKEY") || strings.Contains(body, "eth.example") {
		t.Errorf("config.json and headers: %s", body)
	}
}

// A local AMD CRL directory is read again on every continuous-attestation pass
// (RefreshCollateral), and a reload that fails names the file that is no CRL.
func TestNodeInputsReloadCRLDirectory(t *testing.T) {
	a, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ark-milan.crl"), a.CRL(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, keyFile := newKeyFile(t)
	c := &NodeConfig{Key: chain.KeySource{KeyFile: keyFile}, Collateral: collateral.SourceOptions{Local: dir, Offline: true}}
	c.Logger = slog.New(slog.DiscardHandler)
	cfg, err := c.inputs()
	if err != nil || cfg.RefreshCollateral == nil || cfg.Appraiser == nil {
		t.Fatalf("good CRL directory: %v (refresh set: %v)", err, cfg != nil && cfg.RefreshCollateral != nil)
	}
	if err := cfg.RefreshCollateral(context.Background()); err != nil {
		t.Fatalf("refresh of a good directory: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "late.crl"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cfg.RefreshCollateral(context.Background()); err == nil || !strings.Contains(err.Error(), "late.crl") {
		t.Fatalf("refresh after a broken CRL was dropped in: err %v, want one naming late.crl", err)
	}
}

// An operator's settings become the service's: RetainFailed 0 keeps failed
// submissions, the fee cap is in gwei, the burst twice the rate.
func TestNodeInputsOperatorSettings(t *testing.T) {
	key, keyFile := newKeyFile(t)
	c := &NodeConfig{Key: chain.KeySource{KeyFile: keyFile}, Collateral: collateral.SourceOptions{Offline: true}, MaxFeeGwei: 1.5}
	c.API.RateLimit, c.Logger = 7, slog.New(slog.DiscardHandler)
	cfg, err := c.inputs()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RetainFailed >= 0 || cfg.TxManager.MaxFeeCap.Int64() != 1_500_000_000 || cfg.API.RateBurst != 14 || cfg.OracleKey.D.Cmp(key.D) != 0 {
		t.Errorf("retain %s, fee cap %s, burst %d", cfg.RetainFailed, cfg.TxManager.MaxFeeCap, cfg.API.RateBurst)
	}
	c.RetainFailed = time.Hour
	if cfg, err = c.inputs(); err != nil || cfg.RetainFailed != time.Hour {
		t.Errorf("retain %s: %v", cfg.RetainFailed, err)
	}
}
