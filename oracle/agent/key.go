package agent

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// Errors about the TEE-held key file.
var (
	// ErrKeyPermissions: the key file can be read or written by group or others, is
	// not a regular file or is a symbolic link, or its directory can be written by
	// group or others (who could replace the file). The agent refuses to use it: a key others can
	// read or swap is not held by the TEE alone.
	ErrKeyPermissions = errors.New("key file permissions too open")
	// ErrKeyFormat: the key file does not hold one hex-encoded secp256k1 private key.
	ErrKeyFormat = errors.New("key file is not a hex secp256k1 private key")
)

// maxKeyFile bounds a key file's size: 64 hex digits with a prefix and white space.
const maxKeyFile = 256

// keyFileMode is the only mode a key file is created with and the loosest accepted.
const keyFileMode = 0o600

// LoadOrCreateKey returns the secp256k1 key in the file at path, creating it when
// the file does not exist. The key lives inside the VM's (encrypted, TEE-protected)
// memory and disk; only its address leaves the VM, bound in the report data.
//
// A new key is written to a temporary file in the same directory with mode 0600,
// synced, and linked into place, so that a crash never leaves a partial key file
// and two agents starting at once end with one key (the second link fails, and that
// agent loads the first one's key). An existing file is refused (ErrKeyPermissions)
// when the path is a symbolic link (never followed), it is not a regular file, its
// mode grants anything to group or others, or its directory can be written by
// group or others; it is read only up to maxKeyFile bytes.
func LoadOrCreateKey(path string) (key *ecdsa.PrivateKey, created bool, err error) {
	if path == "" {
		return nil, false, fmt.Errorf("tee key: %w: no key file path", ErrKeyFormat)
	}
	key, err = loadKey(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := createKey(path); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		// Another agent created it first: use that one.
		key, err = loadKey(path)
		return key, false, err
	}
	key, err = loadKey(path)
	return key, err == nil, err
}

// errKeySymlink: the key path names a symbolic link (openKeyFile).
var errKeySymlink = errors.New("a symbolic link")

// beforeKeyOpen, when set (tests), is called just before the key file is opened.
var beforeKeyOpen func(path string)

// loadKey reads the key file at path. The file's checks are made on the file
// opened (its Stat), never on the path before opening it: a file swapped in after
// a check of the path would be read unchecked. The path itself is opened without
// following a symbolic link.
func loadKey(path string) (*ecdsa.PrivateKey, error) {
	dir := filepath.Dir(path)
	dst, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("tee key directory %s: %w", dir, err)
	}
	if perm := dst.Mode().Perm(); perm&0o022 != 0 {
		return nil, fmt.Errorf("tee key %s: %w: its directory %s has mode %04o, letting group or others replace the key (chmod go-w %s)",
			path, ErrKeyPermissions, dir, dst.Mode()&(fs.ModePerm|fs.ModeSticky), dir)
	}
	if beforeKeyOpen != nil {
		beforeKeyOpen(path)
	}
	f, err := openKeyFile(path)
	if errors.Is(err, errKeySymlink) {
		return nil, fmt.Errorf("tee key %s: %w: %w, not the key file itself", path, ErrKeyPermissions, err)
	}
	if err != nil {
		return nil, fmt.Errorf("tee key %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("tee key %s: %w", path, err)
	}
	switch perm := st.Mode().Perm(); {
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("tee key %s: %w: not a regular file (mode %s)", path, ErrKeyPermissions, st.Mode())
	case perm&0o077 != 0:
		return nil, fmt.Errorf("tee key %s: %w: mode %04o, want 0600 or stricter (chmod 600 %s)", path, ErrKeyPermissions, perm, path)
	case st.Size() > maxKeyFile:
		return nil, fmt.Errorf("tee key %s: %w: more than %d bytes", path, ErrKeyFormat, maxKeyFile)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("tee key %s: %w", path, err)
	}
	k, err := ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("tee key %s: %w", path, err)
	}
	return k, nil
}

// ParseKey reads a key file's content: 64 hex digits (optionally 0x-prefixed) of a
// secp256k1 private key, surrounding white space allowed.
func ParseKey(b []byte) (*ecdsa.PrivateKey, error) {
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrKeyFormat, maxKeyFile)
	}
	s := strings.TrimSpace(string(b))
	s = strings.TrimPrefix(s, "0x")
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("%w: want 64 hex digits", ErrKeyFormat)
	}
	k, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyFormat, err)
	}
	return k, nil
}

// createKey writes a fresh key to path atomically; fs.ErrExist when path exists.
func createKey(path string) (err error) {
	k, err := ecdsa.GenerateKey(crypto.S256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate tee key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("tee key directory %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".tee-key-*")
	if err != nil {
		return fmt.Errorf("tee key %s: %w", path, err)
	}
	defer func() {
		_ = os.Remove(tmp.Name())
	}()
	if err := tmp.Chmod(keyFileMode); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("tee key %s: %w", path, err)
	}
	if _, err := tmp.WriteString(hex.EncodeToString(crypto.FromECDSA(k)) + "\n"); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("tee key %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("tee key %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("tee key %s: %w", path, err)
	}
	// Link, not rename: rename would replace a key another agent just created.
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("tee key %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
