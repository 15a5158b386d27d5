package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// key new writes an encrypted keystore with mode 0600 that serve's key loading
// opens with the same password file, prints its address, and never overwrites.
func TestKeyNew(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ks := filepath.Join(dir, "oracle.json")
	out, stderr, code := run(t, "key", "new", "--keystore", ks, "--password-file", pw, "--light-kdf")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fields := strings.Fields(out)
	if len(fields) < 2 || fields[0] != "address" || !common.IsHexAddress(fields[1]) {
		t.Fatalf("output %q", out)
	}
	st, err := os.Stat(ks)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("keystore mode %v, want 0600", st.Mode().Perm())
	}
	var blob map[string]any
	if b, _ := os.ReadFile(ks); json.Unmarshal(b, &blob) != nil || blob["crypto"] == nil {
		t.Errorf("not an encrypted keystore: %s", b)
	}
	key, err := chain.LoadKey(chain.KeySource{Keystore: ks, PasswordFile: pw}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := crypto.PubkeyToAddress(key.PublicKey); got != common.HexToAddress(fields[1]) {
		t.Errorf("keystore holds %s, printed %s", got, fields[1])
	}
	if out, _, _ := run(t, "key", "address", "--keystore", ks, "--password-file", pw); !strings.Contains(out, fields[1]) {
		t.Errorf("key address: %q, want %s", out, fields[1])
	}
	before, _ := os.ReadFile(ks)
	if _, _, code := run(t, "key", "new", "--keystore", ks, "--password-file", pw, "--light-kdf"); code != exitBadInput {
		t.Errorf("second key new on the same file: exit %d", code)
	}
	if after, _ := os.ReadFile(ks); string(after) != string(before) {
		t.Error("an existing keystore was overwritten")
	}
	if _, _, code := run(t, "key", "new", "--keystore", filepath.Join(dir, "other.json")); code != exitBadInput {
		t.Errorf("without --password-file: exit %d", code)
	}
}

func TestVersionAndLogFormat(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, code := run(t, args...)
		if code != 0 || !strings.HasPrefix(out, "teeoracle ") || !strings.Contains(out, "\ngo go1.") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	// JSON logs: every stderr line a JSON object (here, the unknown-variable warning).
	var stdout, stderr strings.Builder
	app := newApp(appDeps{Stdout: &stdout, Stderr: &stderr, Environ: []string{"TEEORACLE_NO_SUCH=1"}})
	if err := app.Run([]string{"teeoracle", "--log-format", "json", "version"}); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(stderr.String())), &line); err != nil || line["name"] != "TEEORACLE_NO_SUCH" {
		t.Errorf("json log line %q: %v", stderr.String(), err)
	}
	if _, _, code := run(t, "--log-format", "xml", "version"); code != exitBadInput {
		t.Errorf("--log-format xml: exit %d", code)
	}
}
