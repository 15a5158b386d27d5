package main

import (
	"reflect"
	"time"

	"github.com/urfave/cli/v2"
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

// yesFlag skips the confirmation of an irreversible change.
func yesFlag() cli.Flag {
	return &cli.BoolFlag{Name: flagYes, EnvVars: env(flagYes),
		Usage: "do not ask for confirmation of an irreversible change (required without a terminal)"}
}

const (
	catChain  = "Chain:"
	catSigner = "Sending key (one of --keystore with --password-file, or --key-file):"
)

// pickFlag returns the definition of a flag another command declares, so a shared
// environment variable keeps one meaning and one wording.
func pickFlag(from []cli.Flag, name string) cli.Flag {
	for _, f := range from {
		if f.Names()[0] == name {
			return f
		}
	}
	panic("no flag " + name) // a typo in this file; TestRegistryFlagRules builds every command
}

func verifyFlag(name string) cli.Flag { return pickFlag(verifyFlags(), name) }

// withCategory returns a copy of f, a *cli.XxxFlag, shown under cat in help; a
// flag without its own Category field (e.g. altsrc's wrappers) comes back as is.
func withCategory(f cli.Flag, cat string) cli.Flag {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return f
	}
	field, ok := v.Elem().Type().FieldByName("Category")
	if !ok || len(field.Index) != 1 || field.Type.Kind() != reflect.String {
		return f
	}
	c := reflect.New(v.Elem().Type())
	c.Elem().Set(v.Elem())
	c.Elem().Field(field.Index[0]).SetString(cat)
	return c.Interface().(cli.Flag)
}

// chainReadFlags are what every registry command needs to read the chain.
func chainReadFlags() []cli.Flag {
	return append(chainFlags(), withCategory(verifyFlag(flagRegistry), catChain))
}

// chainFlags are the chain flags without --registry (registry deploy makes one).
func chainFlags() []cli.Flag {
	return []cli.Flag{
		withCategory(pickFlag(serveFlags(), flagRPCURL), catChain),
		withCategory(verifyFlag(flagChainID), catChain),
		&cli.DurationFlag{Name: flagTxTimeout, Category: catChain, EnvVars: env(flagTxTimeout), Value: defaultTxTimeout,
			Usage: "give up on the chain after this `DURATION`"},
	}
}

// defaultTxTimeout bounds what a registry command does on the chain.
const defaultTxTimeout = 2 * time.Minute

// signerFlags name the key that signs transactions. The key is read from a file
// only, never from a flag value.
func signerFlags() []cli.Flag {
	sf := serveFlags()
	return []cli.Flag{
		withCategory(pickFlag(sf, flagKeystore), catSigner),
		withCategory(pickFlag(sf, flagPasswordFile), catSigner),
		withCategory(pickFlag(sf, flagKeyFile), catSigner),
	}
}

func txFlags(extra ...cli.Flag) []cli.Flag {
	return append(append(chainReadFlags(), signerFlags()...), extra...)
}

func oracleFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: flagOracle, EnvVars: env(flagOracle),
		Usage: "oracle signer `ADDRESS`; repeatable or comma-separated"}
}

func thresholdFlag() cli.Flag {
	return &cli.UintFlag{Name: flagThreshold, EnvVars: env(flagThreshold),
		Usage: "quorum `M`: signatures of distinct oracles a verdict needs"}
}

func policyHashFlag() cli.Flag {
	return &cli.StringFlag{Name: flagPolicyHash, EnvVars: env(flagPolicyHash),
		Usage: "policy `HASH` (0x and 64 hex digits): the canonical hash of the policy"}
}

func deployFlags() []cli.Flag {
	return append(append(chainFlags(), signerFlags()...),
		oracleFlag(),
		thresholdFlag(),
		&cli.UintFlag{Name: flagMaxAnchorAge, EnvVars: env(flagMaxAnchorAge), Value: 256,
			Usage: "largest age in `BLOCKS` (1..256) of a trusted verdict's anchor"},
		&cli.StringFlag{Name: flagOwner, EnvVars: env(flagOwner),
			Usage: "governance `ADDRESS`; without it, the sending key's address"},
		&cli.BoolFlag{Name: flagWithConsumer, EnvVars: env(flagWithConsumer),
			Usage: "also deploy the example consumer contract (TrustedWorkerExample)"},
	)
}

func policyRegisterFlags() []cli.Flag {
	return txFlags(
		verifyFlag(flagPolicy),
		policyHashFlag(),
		&cli.DurationFlag{Name: flagValidity, EnvVars: env(flagValidity),
			Usage: "longest verdict lifetime `DURATION` under the policy (with --policy-hash; --policy files carry their own)"},
		&cli.StringFlag{Name: flagPolicyURI, EnvVars: env(flagPolicyURI),
			Usage: "`URI` where the policy's canonical form can be fetched (logged on chain)"},
	)
}

func machineRegisterFlags() []cli.Flag {
	return txFlags(
		&cli.StringFlag{Name: flagSalt, EnvVars: env(flagSalt),
			Usage: "`HEX` salt (up to 32 bytes) unique among your machines; the id is derived from your address and it (machineIdOf)"},
		teeFlag(),
		&cli.StringFlag{Name: flagMetadataURI, EnvVars: env(flagMetadataURI),
			Usage: "`URI` of your description of the machine (logged on chain)"},
	)
}

func queryFlags() []cli.Flag {
	return append(chainReadFlags(),
		machineIDFlag(""),
		teeKeyFlag(""),
	)
}

func oraclesListFlags() []cli.Flag {
	return append(chainReadFlags(),
		&cli.Uint64Flag{Name: flagFromBlock, EnvVars: env(flagFromBlock),
			Usage: "`BLOCK` to read oracle events from: the registry's deployment block or earlier"})
}
