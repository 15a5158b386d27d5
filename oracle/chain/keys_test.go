package chain_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// recorder keeps the log records it is given.
type recorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// warnedAbout returns whether a warning names path.
func (r *recorder) warnedAbout(path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.recs {
		found := false
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "path" && a.Value.String() == path {
				found = true
			}
			return true
		})
		if rec.Level == slog.LevelWarn && found {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, dir, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	return p
}

// keystoreJSON returns key encrypted as a go-ethereum keystore file. Light scrypt
// parameters keep the test fast; the format is the same.
func keystoreJSON(t *testing.T, key *ecdsa.PrivateKey, password string) []byte {
	t.Helper()
	ks := keystore.NewKeyStore(t.TempDir(), keystore.LightScryptN, keystore.LightScryptP)
	acct, err := ks.ImportECDSA(key, password)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(acct.URL.Path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	key, _ := crypto.GenerateKey()
	want := crypto.PubkeyToAddress(key.PublicKey)
	hexKey := hexutil.Encode(crypto.FromECDSA(key))
	ks := writeFile(t, dir, "ks.json", keystoreJSON(t, key, "correct horse"), 0o600)
	pw := writeFile(t, dir, "pw", []byte("correct horse\n"), 0o600)
	badPw := writeFile(t, dir, "badpw", []byte("wrong\n"), 0o600)
	kf := writeFile(t, dir, "key.hex", []byte(hexKey+"\n"), 0o600)
	kfNo0x := writeFile(t, dir, "key2.hex", []byte("  "+strings.TrimPrefix(hexKey, "0x")+"  "), 0o600)
	openKf := writeFile(t, dir, "open.hex", []byte(hexKey), 0o644)
	short := writeFile(t, dir, "short.hex", []byte(hexKey[:40]), 0o600)
	notHex := writeFile(t, dir, "nothex.hex", []byte("0x"+strings.Repeat("zz", 32)), 0o600)
	zero := writeFile(t, dir, "zero.hex", []byte(strings.Repeat("00", 32)), 0o600)
	notKs := writeFile(t, dir, "notks.json", []byte(`{"hello":1}`), 0o600)

	for _, tc := range []struct {
		name    string
		src     chain.KeySource
		wantErr error
		warn    string // path warned about
	}{
		{"keystore", chain.KeySource{Keystore: ks, PasswordFile: pw}, nil, ""},
		{"key file", chain.KeySource{KeyFile: kf}, nil, ""},
		{"key file without 0x, spaces", chain.KeySource{KeyFile: kfNo0x}, nil, ""},
		{"key file readable by others: loaded, warned", chain.KeySource{KeyFile: openKf}, nil, openKf},
		{"wrong password", chain.KeySource{Keystore: ks, PasswordFile: badPw}, chain.ErrKeyDecrypt, ""},
		{"keystore without password", chain.KeySource{Keystore: ks}, chain.ErrKeySource, ""},
		{"both sources", chain.KeySource{Keystore: ks, PasswordFile: pw, KeyFile: kf}, chain.ErrKeySource, ""},
		{"no source", chain.KeySource{}, chain.ErrKeySource, ""},
		{"short key", chain.KeySource{KeyFile: short}, chain.ErrKeyFormat, ""},
		{"not hex", chain.KeySource{KeyFile: notHex}, chain.ErrKeyFormat, ""},
		{"zero key", chain.KeySource{KeyFile: zero}, chain.ErrKeyFormat, ""},
		{"not a keystore", chain.KeySource{Keystore: notKs, PasswordFile: pw}, chain.ErrKeyFormat, ""},
		{"missing file", chain.KeySource{KeyFile: filepath.Join(dir, "absent")}, os.ErrNotExist, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			got, err := chain.LoadKey(tc.src, slog.New(rec))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				// No error may quote key material.
				if strings.Contains(strings.ToLower(err.Error()), strings.TrimPrefix(hexKey, "0x")[:16]) {
					t.Fatalf("error quotes the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if crypto.PubkeyToAddress(got.PublicKey) != want {
				t.Fatalf("loaded key of %s, want %s", crypto.PubkeyToAddress(got.PublicKey), want)
			}
			if tc.warn != "" && !rec.warnedAbout(tc.warn) {
				t.Fatalf("no warning about %s readable by others", tc.warn)
			}
			if tc.warn == "" && len(rec.recs) != 0 {
				t.Fatalf("unexpected log records: %d", len(rec.recs))
			}
		})
	}
}

// FuzzParseHexKey: any input parses to a valid key or fails with ErrKeyFormat,
// and an error never quotes the input.
func FuzzParseHexKey(f *testing.F) {
	f.Add([]byte("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"))
	f.Add([]byte("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n"))
	f.Add([]byte("0x" + strings.Repeat("ff", 32)))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := chain.ParseHexKey(data)
		if err != nil {
			if !errors.Is(err, chain.ErrKeyFormat) {
				t.Fatalf("error %v does not wrap ErrKeyFormat", err)
			}
			if len(data) >= 8 && strings.Contains(err.Error(), string(data)) {
				t.Fatalf("error quotes the input: %v", err)
			}
			return
		}
		again, err := chain.ParseHexKey([]byte(hexutil.Encode(crypto.FromECDSA(k))))
		if err != nil || !again.Equal(k) {
			t.Fatalf("key does not round-trip: %v", err)
		}
	})
}

// Key, password and keystore files are read only up to their bound: one larger
// than any key is refused naming the bound, not read whole.
func TestLoadKeyBoundsFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	f, err := os.OpenFile(big, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]chain.KeySource{
		"key file":      {KeyFile: big},
		"keystore":      {Keystore: big, PasswordFile: pw},
		"password file": {Keystore: pw, PasswordFile: big},
	} {
		if _, err := chain.LoadKey(src, nil); err == nil || !strings.Contains(err.Error(), "more than 65536 bytes") {
			t.Errorf("%s of 64 MiB: %v, want a refusal naming the bound", name, err)
		}
	}
}
