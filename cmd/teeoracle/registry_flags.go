package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

// Flags of the registry commands (registry, policy, machine, query) that no other
// command declares; the shared ones are flags.go's and serve_flags.go's. They
// follow flags.go's rules (kebab-case, exactly one TEEORACLE_ variable with one
// meaning across commands; registry_test.go checks every nested command).
const (
	flagTxTimeout    = "tx-timeout"
	flagOracle       = "oracle"
	flagThreshold    = "threshold"
	flagMaxAnchorAge = "max-anchor-age"
	flagOwner        = "owner"
	flagWithConsumer = "with-consumer"
	flagSalt         = "salt"
	flagMetadataURI  = "metadata-uri"
	flagPolicyHash   = "policy-hash"
	flagValidity     = "validity"
	flagPolicyURI    = "policy-uri"
	flagFromBlock    = "from-block"
	flagYes          = "yes"
)

const (
	catChain  = "Chain:"
	catSigner = "Sending key (one of --keystore with --password-file, or --key-file):"
)

func verifyFlag(name string) cli.Flag { return cliapp.PickFlag(verifyFlags(), name) }

// chainReadFlags are what every registry command needs to read the chain.
func chainReadFlags() []cli.Flag {
	return append(chainFlags(), cliapp.WithCategory(verifyFlag(flagRegistry), catChain))
}

// chainFlags are the chain flags without --registry (registry deploy makes one).
func chainFlags() []cli.Flag {
	return cliapp.WithEnv(envPrefix, []cli.Flag{
		cliapp.WithCategory(cliapp.PickFlag(serveFlags(nil), flagRPCURL), catChain),
		cliapp.WithCategory(verifyFlag(flagChainID), catChain),
		&cli.DurationFlag{Name: flagTxTimeout, Category: catChain, Value: defaultTxTimeout,
			Usage: "give up on the chain after this `DURATION`"},
	})
}

// defaultTxTimeout bounds what a registry command does on the chain.
const defaultTxTimeout = 2 * time.Minute

// signerFlags name the key that signs transactions, serve's definitions bound into
// cfg.Key (nil: a throwaway). The key is read from a file only, never from a flag
// value.
func signerFlags(cfg *serveConfig) []cli.Flag {
	return cliapp.PickFlags(serveFlags(cfg), catSigner, flagKeystore, flagPasswordFile, flagKeyFile)
}

func txFlags(extra ...cli.Flag) []cli.Flag {
	return append(append(chainReadFlags(), signerFlags(nil)...), extra...)
}

func deployFlags() []cli.Flag {
	return cliapp.WithEnv(envPrefix, append(append(chainFlags(), signerFlags(nil)...),
		shared(flagOracle),
		shared(flagThreshold),
		&cli.UintFlag{Name: flagMaxAnchorAge, Value: 256,
			Usage: "largest age in `BLOCKS` (1..256) of a trusted verdict's anchor"},
		&cli.StringFlag{Name: flagOwner,
			Usage: "governance `ADDRESS`; without it, the sending key's address"},
		&cli.BoolFlag{Name: flagWithConsumer,
			Usage: "also deploy the example consumer contract (TrustedWorkerExample)"},
	))
}

func policyRegisterFlags() []cli.Flag {
	return cliapp.WithEnv(envPrefix, txFlags(
		verifyFlag(flagPolicy),
		shared(flagPolicyHash),
		&cli.DurationFlag{Name: flagValidity,
			Usage: "longest verdict lifetime `DURATION` under the policy (with --policy-hash; --policy files carry their own)"},
		&cli.StringFlag{Name: flagPolicyURI,
			Usage: "`URI` where the policy's canonical form can be fetched (logged on chain)"},
	))
}

func machineRegisterFlags() []cli.Flag {
	return cliapp.WithEnv(envPrefix, txFlags(
		&cli.StringFlag{Name: flagSalt,
			Usage: "`HEX` salt (up to 32 bytes) unique among your machines; the id is derived from your address and it (machineIdOf)"},
		shared(flagTEE),
		&cli.StringFlag{Name: flagMetadataURI,
			Usage: "`URI` of your description of the machine (logged on chain)"},
	))
}

func oraclesListFlags() []cli.Flag {
	return cliapp.WithEnv(envPrefix, append(chainReadFlags(),
		&cli.Uint64Flag{Name: flagFromBlock,
			Usage: "`BLOCK` to read oracle events from: the registry's deployment block or earlier"}))
}
