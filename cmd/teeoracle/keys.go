package main

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/chain"
)

// loadSigningKey loads the key named by --keystore/--password-file or --key-file.
// Only file paths come from flags; the key itself is never a flag value and never
// logged (chain.LoadKey warns about files others can read). The paths are bound
// as serve binds them, into a chain.KeySource (signerFlags).
func loadSigningKey(c *cli.Context) (*ecdsa.PrivateKey, error) {
	var cfg serveConfig
	if err := cliapp.Bind(c, signerFlags(&cfg)); err != nil {
		return nil, err
	}
	key, err := chain.LoadKey(cfg.Key, cliapp.Logger(c))
	if err != nil {
		return nil, fmt.Errorf("signing key (--%s with --%s, or --%s): %w", flagKeystore, flagPasswordFile, flagKeyFile, err)
	}
	return key, nil
}

const flagLightKDF = "light-kdf"

const keyNewDescription = `Creates a new secp256k1 key and writes it to --keystore as an encrypted
go-ethereum keystore file (mode 0600; an existing file is never overwritten), with
the password read from --password-file (a password is never a flag value). Prints
the key's address: fund it with the chain's native token before it sends
transactions (an oracle's verdicts, a provider's registrations, the owner's
governance). TEE keys are not made here: the agent creates its own inside the VM.`

func keyCommand() *cli.Command {
	newFlags := cliapp.WithEnv(envPrefix, append(cliapp.PickFlags(serveFlags(nil), "", flagKeystore, flagPasswordFile),
		&cli.BoolFlag{Name: flagLightKDF,
			Usage: "encrypt with go-ethereum's light scrypt parameters: fast to open, weaker against guessing; for tests and development"}))
	return &cli.Command{
		Name:  "key",
		Usage: "create a signing key (oracle, provider or owner) and show a key's address",
		Subcommands: []*cli.Command{
			{
				Name:        "new",
				Usage:       "create a key in an encrypted keystore file and print its address",
				UsageText:   "teeoracle key new --keystore FILE --password-file FILE",
				Description: keyNewDescription,
				Flags:       newFlags,
				Action: func(c *cli.Context) error {
					ks, pw := c.String(flagKeystore), c.String(flagPasswordFile)
					if ks == "" || pw == "" {
						return badInput(fmt.Errorf("--%s and --%s are required", flagKeystore, flagPasswordFile))
					}
					addr, err := chain.NewKeystore(ks, pw, c.Bool(flagLightKDF), cliapp.Logger(c))
					if err != nil {
						return badInput(err)
					}
					fmt.Fprintf(c.App.Writer, "address %s\nkeystore %s\n", addr.Hex(), ks)
					return nil
				},
			},
			{
				Name:      "address",
				Usage:     "print the address of the key in --keystore (with --password-file) or --key-file",
				UsageText: "teeoracle key address (--keystore FILE --password-file FILE | --key-file FILE)",
				Flags:     signerFlags(nil),
				Action: func(c *cli.Context) error {
					key, err := loadSigningKey(c)
					if err != nil {
						return badInput(err)
					}
					fmt.Fprintf(c.App.Writer, "address %s\n", crypto.PubkeyToAddress(key.PublicKey).Hex())
					return nil
				},
			},
		},
	}
}
