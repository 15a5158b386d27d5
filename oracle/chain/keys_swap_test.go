//go:build unix

package chain

import (
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// warnings keeps the attributes of the warnings it is given.
type warnings struct {
	mu    sync.Mutex
	attrs []map[string]string
}

func (w *warnings) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	m := map[string]string{}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.Level == slog.LevelWarn {
		w.attrs = append(w.attrs, m)
	}
	return nil
}
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

// TestKeyFileCheckedAsOpened: the node's key file is checked as the file it reads,
// not as the path looked at before: a file of mode 0600 swapped for one others can
// read just before the open is warned about (mode 0644), and one swapped for a
// FIFO is refused as not a regular file, without waiting for a writer.
func TestKeyFileCheckedAsOpened(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "oracle.key")
	k, _ := crypto.GenerateKey()
	hexKey := []byte(hex.EncodeToString(crypto.FromECDSA(k)))
	if err := os.WriteFile(path, hexKey, 0o600); err != nil {
		t.Fatal(err)
	}
	beforeSecretOpen = func(p string) {
		if err := os.Remove(p); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(p, hexKey, 0o644); err != nil {
			t.Error(err)
		}
		if err := os.Chmod(p, 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { beforeSecretOpen = nil })
	w := &warnings{}
	if _, err := LoadKey(KeySource{KeyFile: path}, slog.New(w)); err != nil {
		t.Fatal(err)
	}
	if len(w.attrs) != 1 || w.attrs[0]["path"] != path || w.attrs[0]["mode"] != "0644" {
		t.Fatalf("key file swapped for one of mode 0644: warnings %v, want one naming %s with mode 0644", w.attrs, path)
	}

	beforeSecretOpen = func(p string) {
		if err := os.Remove(p); err != nil {
			t.Error(err)
		}
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	if err := os.WriteFile(path, hexKey, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(KeySource{KeyFile: path}, slog.New(&warnings{})); !errors.Is(err, fs.ErrInvalid) {
		t.Fatalf("key file swapped for a FIFO: %v, want fs.ErrInvalid (not a regular file)", err)
	}
}
