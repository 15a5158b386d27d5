package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flags of the registry commands (registry, policy, machine, query). They follow
// flags.go's rules (kebab-case, exactly one TEEORACLE_ variable with one meaning
// across commands; registry_test.go checks every nested command). Flags that verify
// or serve also have keep those commands' names and wording. The Go identifiers
// carry an rf prefix so they never collide with other files' constants.
const (
	rfRPCURL       = "rpc-url"
	rfKeystore     = "keystore"
	rfPasswordFile = "password-file"
	rfKeyFile      = "key-file"
	rfTxTimeout    = "tx-timeout"
	rfOracle       = "oracle"
	rfThreshold    = "threshold"
	rfMaxAnchorAge = "max-anchor-age"
	rfOwner        = "owner"
	rfWithConsumer = "with-consumer"
	rfSalt         = "salt"
	rfTEE          = flagTEE
	rfMetadataURI  = "metadata-uri"
	rfMachine      = flagMachineID
	rfKey          = flagTEEKey
	rfPolicyHash   = "policy-hash"
	rfValidity     = "validity"
	rfPolicyURI    = "policy-uri"
	rfFromBlock    = "from-block"
	rfYes          = "yes"
)

// yesFlag skips the confirmation of an irreversible change.
func yesFlag() cli.Flag {
	return &cli.BoolFlag{Name: rfYes, EnvVars: env(rfYes),
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

func withCategory(f cli.Flag, cat string) cli.Flag {
	switch v := f.(type) {
	case *cli.StringFlag:
		c := *v
		c.Category = cat
		return &c
	case *cli.Uint64Flag:
		c := *v
		c.Category = cat
		return &c
	case *cli.UintFlag:
		c := *v
		c.Category = cat
		return &c
	case *cli.IntFlag:
		c := *v
		c.Category = cat
		return &c
	case *cli.BoolFlag:
		c := *v
		c.Category = cat
		return &c
	case *cli.DurationFlag:
		c := *v
		c.Category = cat
		return &c
	case *cli.Float64Flag:
		c := *v
		c.Category = cat
		return &c
	case *cli.StringSliceFlag:
		c := *v
		c.Category = cat
		return &c
	}
	return f
}

// chainReadFlags are what every registry command needs to read the chain.
func chainReadFlags() []cli.Flag {
	return append(chainFlags(), withCategory(verifyFlag(flagRegistry), catChain))
}

// chainFlags are the chain flags without --registry (registry deploy makes one).
func chainFlags() []cli.Flag {
	return []cli.Flag{
		withCategory(pickFlag(serveFlags(), rfRPCURL), catChain),
		withCategory(verifyFlag(flagChainID), catChain),
		&cli.DurationFlag{Name: rfTxTimeout, Category: catChain, EnvVars: env(rfTxTimeout), Value: defaultTxTimeout,
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
		withCategory(pickFlag(sf, rfKeystore), catSigner),
		withCategory(pickFlag(sf, rfPasswordFile), catSigner),
		withCategory(pickFlag(sf, rfKeyFile), catSigner),
	}
}

func txFlags(extra ...cli.Flag) []cli.Flag {
	return append(append(chainReadFlags(), signerFlags()...), extra...)
}

func oracleFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: rfOracle, EnvVars: env(rfOracle),
		Usage: "oracle signer `ADDRESS`; repeatable or comma-separated"}
}

func thresholdFlag() cli.Flag {
	return &cli.UintFlag{Name: rfThreshold, EnvVars: env(rfThreshold),
		Usage: "quorum `M`: signatures of distinct oracles a verdict needs"}
}

func machineFlag() cli.Flag { return machineIDFlag("") }

func policyHashFlag() cli.Flag {
	return &cli.StringFlag{Name: rfPolicyHash, EnvVars: env(rfPolicyHash),
		Usage: "policy `HASH` (0x and 64 hex digits): the canonical hash of the policy"}
}

func deployFlags() []cli.Flag {
	return append(append(chainFlags(), signerFlags()...),
		oracleFlag(),
		thresholdFlag(),
		&cli.UintFlag{Name: rfMaxAnchorAge, EnvVars: env(rfMaxAnchorAge), Value: 256,
			Usage: "largest age in `BLOCKS` (1..256) of a trusted verdict's anchor"},
		&cli.StringFlag{Name: rfOwner, EnvVars: env(rfOwner),
			Usage: "governance `ADDRESS`; without it, the sending key's address"},
		&cli.BoolFlag{Name: rfWithConsumer, EnvVars: env(rfWithConsumer),
			Usage: "also deploy the example consumer contract (TrustedWorkerExample)"},
	)
}

func policyRegisterFlags() []cli.Flag {
	return txFlags(
		verifyFlag(flagPolicy),
		policyHashFlag(),
		&cli.DurationFlag{Name: rfValidity, EnvVars: env(rfValidity),
			Usage: "longest verdict lifetime `DURATION` under the policy (with --policy-hash; --policy files carry their own)"},
		&cli.StringFlag{Name: rfPolicyURI, EnvVars: env(rfPolicyURI),
			Usage: "`URI` where the policy's canonical form can be fetched (logged on chain)"},
	)
}

func machineRegisterFlags() []cli.Flag {
	return txFlags(
		&cli.StringFlag{Name: rfSalt, EnvVars: env(rfSalt),
			Usage: "`HEX` salt (up to 32 bytes) unique among your machines; the id is derived from your address and it (machineIdOf)"},
		teeFlag(),
		&cli.StringFlag{Name: rfMetadataURI, EnvVars: env(rfMetadataURI),
			Usage: "`URI` of your description of the machine (logged on chain)"},
	)
}

func queryFlags() []cli.Flag {
	return append(chainReadFlags(),
		machineFlag(),
		teeKeyFlag(""),
	)
}

func oraclesListFlags() []cli.Flag {
	return append(chainReadFlags(),
		&cli.Uint64Flag{Name: rfFromBlock, EnvVars: env(rfFromBlock),
			Usage: "`BLOCK` to read oracle events from: the registry's deployment block or earlier"})
}
