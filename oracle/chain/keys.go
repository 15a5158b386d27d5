package chain

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/user"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// Errors of key loading. Their messages name the file and what was wrong with it,
// never its contents.
var (
	// ErrKeySource: not exactly one of a keystore (with a password file) or a key
	// file was given.
	ErrKeySource = errors.New("key source")
	// ErrKeyFormat: a key file does not hold 32 bytes of hex, or a keystore file is
	// not a go-ethereum keystore.
	ErrKeyFormat = errors.New("malformed key file")
	// ErrKeyDecrypt: the keystore did not decrypt with the password.
	ErrKeyDecrypt = errors.New("keystore does not decrypt with the password")
)

// KeySource names where a signing key comes from: an encrypted go-ethereum keystore
// file and the file holding its password, or a plain hex key file. Keys never come
// from flag values or the environment directly, only from files, so they do not
// end up in shell history, process listings or logs.
type KeySource struct {
	Keystore     string // encrypted keystore (JSON) file
	PasswordFile string // its password; one trailing newline is ignored
	KeyFile      string // hex private key, optional 0x, surrounding whitespace ignored
}

// LoadKey loads the key src names. Key and password files readable by group or
// others are loaded but warned about on log (nil means slog.Default()): a key
// another user can read is not a secret.
func LoadKey(src KeySource, log *slog.Logger) (*ecdsa.PrivateKey, error) {
	if log == nil {
		log = slog.Default()
	}
	switch {
	case src.KeyFile != "" && (src.Keystore != "" || src.PasswordFile != ""):
		return nil, fmt.Errorf("%w: give either a keystore with a password file, or a key file, not both", ErrKeySource)
	case src.KeyFile != "":
		data, err := readSecret(src.KeyFile, log)
		if err != nil {
			return nil, err
		}
		key, err := ParseHexKey(data)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", src.KeyFile, err)
		}
		return key, nil
	case src.Keystore == "":
		return nil, fmt.Errorf("%w: no key: give a keystore with a password file, or a key file", ErrKeySource)
	case src.PasswordFile == "":
		return nil, fmt.Errorf("%w: keystore %s needs a password file", ErrKeySource, src.Keystore)
	}
	ks, err := readBounded(src.Keystore, maxKeystoreFile)
	if err != nil {
		return nil, readable(fmt.Errorf("read keystore: %w", err))
	}
	pw, err := readSecret(src.PasswordFile, log)
	if err != nil {
		return nil, err
	}
	pw = trimNewline(pw)
	k, err := keystore.DecryptKey(ks, string(pw))
	switch {
	case errors.Is(err, keystore.ErrDecrypt):
		return nil, fmt.Errorf("keystore %s with password file %s: %w", src.Keystore, src.PasswordFile, ErrKeyDecrypt)
	case err != nil:
		// go-ethereum's JSON errors name offsets and types, not contents.
		return nil, fmt.Errorf("keystore %s: %w: %w", src.Keystore, ErrKeyFormat, err)
	}
	return k.PrivateKey, nil
}

// readSecret reads a key or password file, warning when its mode lets group or
// others read it.
func readSecret(path string, log *slog.Logger) ([]byte, error) {
	data, info, err := readChecked(path, maxSecretFile)
	if err != nil {
		return nil, readable(fmt.Errorf("secret file: %w", err))
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		log.Warn("secret file is readable by group or others; chmod 600 it", "path", path, "mode", fmt.Sprintf("%04o", perm))
	}
	return data, nil
}

// Bounds of the files LoadKey reads: a go-ethereum keystore is about 500 bytes, a
// hex key 66 and a password whatever a person types.
const (
	maxKeystoreFile = 64 << 10
	maxSecretFile   = 64 << 10
)

// readBounded reads the file at path, refusing it when it is not a regular file or
// holds more than limit bytes (without reading more than that).
func readBounded(path string, limit int64) ([]byte, error) {
	b, _, err := readChecked(path, limit)
	return b, err
}

// beforeSecretOpen, when set (tests), is called just before a key, password or
// keystore file is opened.
var beforeSecretOpen func(path string)

// readChecked reads the regular file at path, at most limit bytes, and returns its
// Stat. The checks are made on the file opened, never on the path before opening
// it, so that a file swapped in between is not read unchecked. A symbolic link at
// path is followed (secret stores, such as Kubernetes secret volumes, link a key
// file into place): the checks apply to the file it names when opened.
func readChecked(path string, limit int64) ([]byte, fs.FileInfo, error) {
	if beforeSecretOpen != nil {
		beforeSecretOpen(path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !info.Mode().IsRegular():
		return nil, nil, fmt.Errorf("%s: %w: not a regular file (mode %s)", path, fs.ErrInvalid, info.Mode())
	case info.Size() > limit:
		return nil, nil, fmt.Errorf("%s: %w: more than %d bytes", path, fs.ErrInvalid, limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(b)) > limit {
		return nil, nil, fmt.Errorf("%s: %w: more than %d bytes", path, fs.ErrInvalid, limit)
	}
	return b, info, nil
}

func trimNewline(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// ParseHexKey decodes a hex secp256k1 private key (64 hex digits, optional 0x,
// surrounding whitespace ignored). Its errors never quote the input.
func ParseHexKey(data []byte) (*ecdsa.PrivateKey, error) {
	s := string(bytes.TrimSpace(data))
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	if len(s) != 64 {
		return nil, fmt.Errorf("%w: %d hex digits, want 64", ErrKeyFormat, len(s))
	}
	raw, err := hexutil.Decode("0x" + s)
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrKeyFormat)
	}
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: not a valid secp256k1 private key (zero or at least the group order)", ErrKeyFormat)
	}
	return key, nil
}

// readable is err, and when it is a permission error (a keystore written as root
// for a service that runs as its own user), what to do: the file and its
// directories must be readable by the user this process runs as, named with its uid.
func readable(err error) error {
	if !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return fmt.Errorf("%w (the file and its directories must be readable by %s, the user this command runs as: chown or chmod them)", err, currentUser())
}

// currentUser names the user this process runs as: "user NAME (uid N)", or "uid N"
// when the name cannot be looked up.
func currentUser() string {
	uid := os.Getuid()
	if u, err := user.Current(); err == nil && u.Username != "" {
		return fmt.Sprintf("user %s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}
