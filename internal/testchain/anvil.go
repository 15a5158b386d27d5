// Package testchain starts real chains for tests: anvil (Foundry, installed into the
// repository by scripts/install-toolchain) as a child process, and go-ethereum's
// simulated backend in process, both funded with anvil's well-known development
// accounts so that the same keys work on either.
//
// It imports "testing" on purpose: it is test support, used only from _test.go files
// and test-only programs.
package testchain

import (
	"crypto/ecdsa"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/anvil"
)

// devKeys are the first private keys of anvil's default test mnemonic ("test test
// ... junk"). They are public knowledge and fund nothing outside development chains.
var devKeyHex = [...]string{
	"ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
	"59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
	"5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
	"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
	"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
	"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
	"92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
	"4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
	"dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
	"2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
}

// DevKeyCount is how many development keys DevKey serves.
const DevKeyCount = len(devKeyHex)

// DevKey returns anvil's i-th default development key (0 <= i < DevKeyCount) and its
// address. The simulated backend of NewSimulated funds the same accounts.
func DevKey(i int) (*ecdsa.PrivateKey, common.Address) {
	key, err := crypto.HexToECDSA(devKeyHex[i])
	if err != nil {
		// The table above is constant; a failure here is a typo in this file.
		panic(fmt.Sprintf("testchain: dev key %d: %v", i, err))
	}
	return key, crypto.PubkeyToAddress(key.PublicKey)
}

// Anvil is a running anvil process (see package anvil).
type Anvil = anvil.Process

// AnvilPath returns the repository's anvil binary, found by walking up from the
// working directory to go.mod, or "" when it is not installed. It prefers the
// native binary of the platform package (.tools/node_modules/@foundry-rs/
// anvil-linux-amd64/bin/anvil) over the npm launcher in .bin: the launcher is a
// Node.js script that runs the binary as its child, and a signal to the launcher
// alone would orphan the chain.
func AnvilPath() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			nm := filepath.Join(dir, ".tools", "node_modules")
			for _, p := range []string{
				filepath.Join(nm, "@foundry-rs", "anvil-"+runtime.GOOS+"-"+goarchNPM(), "bin", "anvil"),
				filepath.Join(nm, ".bin", "anvil"),
			} {
				if _, err := os.Stat(p); err == nil {
					return p
				}
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// StartAnvil starts `anvil --port 0` with the extra args, waits for its
// "Listening on" line, dials it, and stops it on t.Cleanup. When anvil is not
// installed the test is skipped, except under CI (env CI set), where it fails:
// integration tests must never pass by silently not running.
func StartAnvil(t testing.TB, args ...string) *Anvil {
	t.Helper()
	bin := AnvilPath()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("anvil not found under .tools/node_modules/.bin (run scripts/install-toolchain); CI is set, so this is a failure")
		}
		t.Skip("anvil not found under .tools/node_modules/.bin; run scripts/install-toolchain")
	}
	a, err := anvil.Start(bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Stop(); err != nil {
			t.Logf("stop anvil: %v", err)
		}
	})
	return a
}

// goarchNPM is GOARCH as the npm platform packages spell it.
func goarchNPM() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "amd64"
}
