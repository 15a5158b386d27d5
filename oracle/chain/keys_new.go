package chain

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// NewKeystore creates a new secp256k1 key and writes it, encrypted with the password
// in passwordFile (its trailing newline dropped), as a go-ethereum keystore file at
// path with mode 0600. It never overwrites: an existing path is an error. lightKDF
// uses go-ethereum's light scrypt parameters (fast, for tests and development)
// instead of the standard ones. It returns the key's address.
func NewKeystore(path, passwordFile string, lightKDF bool, log *slog.Logger) (common.Address, error) {
	if log == nil {
		log = slog.Default()
	}
	pw, err := readSecret(passwordFile, log)
	if err != nil {
		return common.Address{}, err
	}
	pw = trimNewline(pw)
	if len(pw) == 0 {
		return common.Address{}, fmt.Errorf("%w: password file %s is empty", ErrKeySource, passwordFile)
	}
	priv, err := crypto.GenerateKey()
	if err != nil {
		return common.Address{}, fmt.Errorf("generate key: %w", err)
	}
	id, err := uuid.NewRandomFromReader(rand.Reader)
	if err != nil {
		return common.Address{}, fmt.Errorf("key id: %w", err)
	}
	n, p := keystore.StandardScryptN, keystore.StandardScryptP
	if lightKDF {
		n, p = keystore.LightScryptN, keystore.LightScryptP
	}
	addr := crypto.PubkeyToAddress(priv.PublicKey)
	blob, err := keystore.EncryptKey(&keystore.Key{Id: id, Address: addr, PrivateKey: priv}, string(pw), n, p)
	if err != nil {
		return common.Address{}, fmt.Errorf("encrypt key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return common.Address{}, fmt.Errorf("keystore %s: %w", path, err)
	}
	if _, err := f.Write(blob); err != nil {
		return common.Address{}, errors.Join(fmt.Errorf("write keystore %s: %w", path, err), f.Close(), os.Remove(path))
	}
	if err := f.Sync(); err != nil {
		return common.Address{}, errors.Join(fmt.Errorf("sync keystore %s: %w", path, err), f.Close(), os.Remove(path))
	}
	if err := f.Close(); err != nil {
		return common.Address{}, errors.Join(fmt.Errorf("close keystore %s: %w", path, err), os.Remove(path))
	}
	return addr, nil
}
