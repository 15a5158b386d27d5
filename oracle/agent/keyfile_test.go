package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A key file larger than any key is refused by its size, without reading it
// whole; a key in a directory group or others may write to (where they could
// replace the file) is refused; an agent config file others may change is refused.
func TestKeyAndConfigFileBounds(t *testing.T) {
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
	if _, err := loadKey(big); !errors.Is(err, ErrKeyFormat) || !strings.Contains(err.Error(), "more than 256 bytes") {
		t.Errorf("64 MiB key file: %v, want ErrKeyFormat naming the bound", err)
	}

	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(open, "key")
	if _, _, err := LoadOrCreateKey(key); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o770, 0o707, 0o1777} {
		if err := os.Chmod(open, mode); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateKey(key); !errors.Is(err, ErrKeyPermissions) || !strings.Contains(err.Error(), "directory") {
			t.Errorf("directory mode %04o: %v, want ErrKeyPermissions naming the directory", mode, err)
		}
	}
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKey(key); err != nil {
		t.Errorf("directory mode 0755: %v", err)
	}

	conf := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(conf, []byte("tee: tdx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFileConfig(conf); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o620, 0o602, 0o666} {
		if err := os.Chmod(conf, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadFileConfig(conf); !errors.Is(err, ErrConfigFile) || !strings.Contains(err.Error(), "chmod go-w") {
			t.Errorf("config mode %04o: %v, want ErrConfigFile saying chmod go-w", mode, err)
		}
	}
}
