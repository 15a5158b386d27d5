package chain

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestUnreadableKeyFileNamesTheUser: a keystore or password file the process may not
// read (written as root for a service that runs as its own user) is refused with an
// error that says which user must be able to read it. Root reads every file, so the
// error is the one os.Open returns for such a file; TestLoadKeyUnreadableFile reads a
// real one when the tests do not run as root.
func TestUnreadableKeyFileNamesTheUser(t *testing.T) {
	denied := &fs.PathError{Op: "open", Path: "/etc/teeoracle/oracle.json", Err: syscall.EACCES}
	err := readable(fmt.Errorf("read keystore: %w", denied))
	uid := fmt.Sprintf("uid %d", os.Getuid())
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), uid) || !strings.Contains(err.Error(), "/etc/teeoracle/oracle.json") ||
		!strings.Contains(err.Error(), "readable by") {
		t.Fatalf("permission error reads %q; want the path, %q and who must read it", err, uid)
	}
	other := fmt.Errorf("read keystore: %w", &fs.PathError{Op: "open", Path: "x", Err: syscall.ENOENT})
	if got := readable(other); got.Error() != other.Error() {
		t.Fatalf("a missing file's error changed to %q", got)
	}
}

func TestLoadKeyUnreadableFile(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root reads files of mode 0000")
	}
	dir := t.TempDir()
	ks, pw := filepath.Join(dir, "oracle.json"), filepath.Join(dir, "oracle.pw")
	for _, p := range []string{ks, pw} {
		if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
			t.Fatal(err)
		}
	}
	_, err := LoadKey(KeySource{Keystore: ks, PasswordFile: pw}, nil)
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), fmt.Sprintf("uid %d", os.Getuid())) {
		t.Fatalf("unreadable keystore: %v; want a permission error naming uid %d", err, os.Getuid())
	}
	_, err = LoadKey(KeySource{KeyFile: pw}, nil)
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), fmt.Sprintf("uid %d", os.Getuid())) {
		t.Fatalf("unreadable key file: %v; want a permission error naming uid %d", err, os.Getuid())
	}
}
