package devnet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A saved authority others may read or change, a symbolic link in its place, or
// one that is no regular file is refused with ErrAuthorityFile, and a new one is
// never written through a symbolic link.
func TestSimulateAuthorityFileRules(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	dir := t.TempDir()
	_, kit, err := Simulate(ctx, dir, "sev-snp", now)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(kit.Authority); err != nil || st.Mode().Perm() != 0o600 || !st.Mode().IsRegular() {
		t.Fatalf("authority written as %v, %v; want a regular 0600 file", st, err)
	}
	if _, _, err := Simulate(ctx, dir, "sev-snp", now); err != nil {
		t.Fatalf("the authority it wrote is refused: %v", err)
	}

	if err := os.Chmod(kit.Authority, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Simulate(ctx, dir, "sev-snp", now); !errors.Is(err, ErrAuthorityFile) || !strings.Contains(err.Error(), "mode 0644") {
		t.Errorf("authority readable by others: err %v, want ErrAuthorityFile naming the mode", err)
	}
	if err := os.Chmod(kit.Authority, 0o620); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Simulate(ctx, dir, "sev-snp", now); !errors.Is(err, ErrAuthorityFile) {
		t.Errorf("authority writable by the group: err %v, want ErrAuthorityFile", err)
	}

	// Another user's file, where this test may hand one over (as root).
	if err := os.Chmod(kit.Authority, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		if err := os.Chown(kit.Authority, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Simulate(ctx, dir, "sev-snp", now); !errors.Is(err, ErrAuthorityFile) || !strings.Contains(err.Error(), "another user") {
			t.Errorf("authority of another user: err %v, want ErrAuthorityFile", err)
		}
	} else {
		t.Log("not root: the owner check is not exercised")
	}

	// A symbolic link where the authority is read: refused, not followed.
	linkDir := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere.pem")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(linkDir, "sev-snp-authority.pem")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Simulate(ctx, linkDir, "sev-snp", now); !errors.Is(err, ErrAuthorityFile) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("authority is a symbolic link: err %v, want ErrAuthorityFile", err)
	}

	// A dangling symbolic link where a new authority would be written: the write
	// does not create the link's target.
	dangleDir := t.TempDir()
	dangling := filepath.Join(t.TempDir(), "created-through-link.pem")
	if err := os.Symlink(dangling, filepath.Join(dangleDir, "tdx-authority.pem")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Simulate(ctx, dangleDir, "tdx", now); err == nil {
		t.Error("a new authority was written where a dangling symbolic link was")
	}
	if _, err := os.Stat(dangling); err == nil {
		t.Error("the authority was written through a symbolic link")
	}

	// A directory in the authority's place.
	dirDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dirDir, "sev-snp-authority.pem"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Simulate(ctx, dirDir, "sev-snp", now); !errors.Is(err, ErrAuthorityFile) {
		t.Errorf("authority is a directory: err %v, want ErrAuthorityFile", err)
	}
	if _, _, err := Simulate(ctx, t.TempDir(), "sgx", now); err == nil || !strings.Contains(err.Error(), "sgx") {
		t.Errorf("unknown TEE: err %v", err)
	}
}
