//go:build unix

package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A symbolic link swapped in for the key file after the agent looked at the path
// is not followed: the key is refused (ErrKeyPermissions, naming the link), never
// read from the link's target. A FIFO at the path is refused as not a regular file
// without waiting for a writer.
func TestKeyFileSwappedForSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	if _, _, err := LoadOrCreateKey(path); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	if _, _, err := LoadOrCreateKey(other); err != nil {
		t.Fatal(err)
	}
	swapped := false
	beforeKeyOpen = func(p string) {
		if swapped || p != path {
			return
		}
		swapped = true
		if err := os.Remove(path); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(other, path); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { beforeKeyOpen = nil })
	_, _, err := LoadOrCreateKey(path)
	if !swapped || !errors.Is(err, ErrKeyPermissions) || !errors.Is(err, errKeySymlink) || !strings.Contains(err.Error(), path) {
		t.Fatalf("key swapped for a symbolic link: %v (swapped %t), want ErrKeyPermissions naming %s as a symbolic link", err, swapped, path)
	}
	beforeKeyOpen = nil

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, _, err := LoadOrCreateKey(fifo); !errors.Is(err, ErrKeyPermissions) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO at the key path: %v, want ErrKeyPermissions: not a regular file", err)
	}
}
