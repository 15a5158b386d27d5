package collateral

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzCacheIndex writes arbitrary bytes as an on-disk index file beside one real blob
// and opens the cache: no panic, no error for a bad index (it is skipped), and every
// entry served has the hash of its body.
func FuzzCacheIndex(f *testing.F) {
	body := []byte("blob body")
	h := sha256.Sum256(body)
	name := hex.EncodeToString(h[:])
	f.Add([]byte(`{"key":"https://kdsintf.amd.com/vcek/v1/Milan/crl","versions":[{"sha256":"` + name + `","next_update":"2030-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"key":"k","versions":[{"sha256":"00"}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, index []byte) {
		dir := t.TempDir()
		for _, sub := range []string{"blobs", "index"} {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "blobs", name), body, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "index", "x.json"), index, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := New(Options{Dir: dir, Offline: true, Logger: discardLogger()})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		c.mu.RLock()
		keys := make([]string, 0, len(c.byKey))
		for k := range c.byKey {
			keys = append(keys, k)
		}
		c.mu.RUnlock()
		for _, k := range keys {
			for _, e := range c.Versions(k) {
				if sha256.Sum256(e.Body) != e.Hash {
					t.Fatalf("entry %s served with a wrong hash", k)
				}
			}
			_, _ = c.Get(context.Background(), k, time.Time{})
		}
	})
}
