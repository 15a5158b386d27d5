package main

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// loadSigningKey loads the key named by --keystore/--password-file or --key-file.
// Only file paths come from flags; the key itself is never a flag value and never
// logged (chain.LoadKey warns about files others can read).
func loadSigningKey(c *cli.Context) (*ecdsa.PrivateKey, error) {
	key, err := chain.LoadKey(chain.KeySource{
		Keystore:     c.String(rfKeystore),
		PasswordFile: c.String(rfPasswordFile),
		KeyFile:      c.String(rfKeyFile),
	}, logger(c))
	if err != nil {
		return nil, fmt.Errorf("signing key (--%s with --%s, or --%s): %w", rfKeystore, rfPasswordFile, rfKeyFile, err)
	}
	return key, nil
}
