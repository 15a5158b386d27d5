package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
)

const registryDescription = `Commands that write send one transaction each, signed with the key of
--keystore (with --password-file) or --key-file, and wait until it is mined. A
transaction the registry would refuse is not sent: the contract's error is printed
by name with its arguments (for example InsufficientSignatures(provided: 1,
threshold: 2)). --chain-id, when given, must match the RPC endpoint's chain.`

// registryCommands returns the registry, policy, machine and query commands.
func registryCommands(deps appDeps) []*cli.Command {
	// Output goes through c.App.Writer, set from deps.Stdout; deps answer confirmations.
	prompt := cliapp.Prompt{In: deps.Stdin, IsTerminal: deps.StdinIsTerminal}
	return []*cli.Command{
		{
			Name:        "registry",
			Usage:       "deploy and govern a TeeRegistry",
			Description: registryDescription,
			Subcommands: []*cli.Command{
				{
					Name:      "deploy",
					Usage:     "deploy a TeeRegistry (and optionally the example consumer) and print its address",
					UsageText: "teeoracle registry deploy --rpc-url URL (--keystore FILE --password-file FILE | --key-file FILE) --oracle ADDRESS... --threshold M [--owner ADDRESS] [--with-consumer]",
					Flags:     deployFlags(),
					Action:    runDeploy,
				},
				{
					Name:  "oracles",
					Usage: "add or remove oracle signers, set the quorum, list them",
					Subcommands: []*cli.Command{
						{Name: "add", Usage: "add oracle signers (owner only), one transaction each", Flags: txFlags(shared(flagOracle)),
							Action: oracleChange(true)},
						{Name: "remove", Usage: "remove oracle signers (owner only), one transaction each; asks for confirmation",
							Flags: txFlags(shared(flagOracle), shared(flagYes)), Action: cliapp.Confirmed(prompt, flagYes, func(c *cli.Context) string {
								return "remove oracle signer(s) " + strings.Join(c.StringSlice(flagOracle), ", ") + " from the registry"
							}, oracleChange(false))},
						{Name: "threshold", Usage: "set the quorum M (owner only)", Flags: txFlags(shared(flagThreshold)),
							Action: sendTx("set threshold", func(c *cli.Context) (uint, error) { return cliapp.UintIn(c, flagThreshold, 1, 255) },
								func(r *chain.Registry, m uint) chain.TxCandidate { return r.SetThresholdTx(uint8(m)) }, nil)},
						{Name: "list", Usage: "print the current oracle signers and the quorum", Flags: oraclesListFlags(),
							Action: runOraclesList},
					},
				},
			},
		},
		{
			Name:        "policy",
			Usage:       "register, retire and show policies",
			Description: registryDescription,
			Subcommands: []*cli.Command{
				{Name: "register", Usage: "register and activate a policy (owner only): from a policy file, or by hash and validity",
					UsageText: "teeoracle policy register (--policy FILE | --policy-hash HASH --validity DURATION) [--policy-uri URI] chain and key flags",
					Flags:     policyRegisterFlags(), Action: sendTx("register policy", policyToRegister, (*chain.Registry).PolicyRegistrationTx,
						func(w io.Writer, p chain.PolicyRegistration) {
							fmt.Fprintf(w, "policy %s\nvalidity-seconds %d\n", p.Hash.Hex(), p.ValiditySeconds())
						})},
				{Name: "retire", Usage: "retire a policy (owner only): every machine under it becomes untrusted, for good; asks for confirmation",
					Flags: txFlags(shared(flagPolicyHash), shared(flagYes)), Action: cliapp.Confirmed(prompt, flagYes, func(c *cli.Context) string {
						return "retire policy " + c.String(flagPolicyHash) + ": every machine under it becomes untrusted, and a retired policy cannot be registered again"
					}, onHash(flagPolicyHash, "retire policy", (*chain.Registry).RetirePolicyTx))},
				{Name: "show", Usage: "print a policy file's name, canonical hash and validity, and what the registry knows about it",
					UsageText: "teeoracle policy show (--policy FILE | --policy-hash HASH) [--rpc-url URL --registry ADDRESS]",
					Flags:     append(chainReadFlags(), shared(flagPolicyHash), verifyFlag(flagPolicy)), Action: runPolicyShow},
				{Name: "hash", Usage: "print the canonical hash of a policy file (offline): the hash to register and to pin",
					UsageText: "teeoracle policy hash FILE", ArgsUsage: "FILE", Action: runPolicyHash},
			},
		},
		{
			Name:        "machine",
			Usage:       "register, deregister and show machines (node providers)",
			Description: registryDescription,
			Subcommands: []*cli.Command{
				{Name: "register", Usage: "register a machine of the sending key and print its id",
					UsageText: "teeoracle machine register --salt HEX --tee sev-snp|tdx [--metadata-uri URI] chain and key flags",
					Flags:     machineRegisterFlags(), Action: runMachineRegister},
				{Name: "deregister", Usage: "deregister one of your machines; its id is retired forever; asks for confirmation",
					Flags: txFlags(shared(flagMachineID), shared(flagYes)), Action: cliapp.Confirmed(prompt, flagYes, func(c *cli.Context) string {
						return "deregister machine " + c.String(flagMachineID) + ": its id can never be registered again"
					}, onHash(flagMachineID, "deregister machine", (*chain.Registry).DeregisterMachineTx))},
				{Name: "authorize-key", Usage: "let one of your machines' TEE keys be bound to it by its next trusted verdict",
					UsageText: "teeoracle machine authorize-key --machine-id ID --tee-key ADDRESS chain and key flags\n\n" +
						"A machine's first verdict, and every key rotation, binds only the key its provider authorised:\n" +
						"run this with the address the machine's agent prints (its TEE key) before the agent attests.",
					Flags: txFlags(shared(flagMachineID), shared(flagTEEKey)), Action: sendTx("authorize key", keyToAuthorize,
						func(r *chain.Registry, a authorization) chain.TxCandidate { return r.AuthorizeKeyTx(a.id, a.key) },
						func(w io.Writer, a authorization) {
							fmt.Fprintf(w, "machine %s\nauthorized-key %s\n", a.id.Hex(), a.key.Hex())
						})},
				{Name: "revoke-key", Usage: "withdraw a machine's key: drop a pending authorisation and unbind (untrust) its bound key",
					Flags: txFlags(shared(flagMachineID)), Action: onHash(flagMachineID, "revoke key", (*chain.Registry).RevokeKeyTx)},
				{Name: "show", Usage: "print a machine's record and latest verdict",
					Flags: append(chainReadFlags(), shared(flagMachineID)), Action: runMachineShow},
			},
		},
		{
			Name:        "query",
			Usage:       "ask the registry whether a machine (or a TEE key) is trusted now",
			UsageText:   "teeoracle query --rpc-url URL --registry ADDRESS (--machine-id ID | --tee-key ADDRESS)",
			Description: "Exit status: 0 trusted, 1 not trusted, 2 bad input or error.",
			Flags:       append(chainReadFlags(), shared(flagMachineID), shared(flagTEEKey)),
			Action:      runQuery,
		},
	}
}

// txTimeout bounds everything a command does on the chain.
func txTimeout(c *cli.Context) time.Duration {
	if d := c.Duration(flagTxTimeout); d > 0 {
		return d
	}
	return defaultTxTimeout
}

// chainSession reads the chain flags into a session: --rpc-url, --registry when
// needRegistry, --chain-id, --tx-timeout (txTimeout), and with signed the sending
// key (loadSigningKey).
func chainSession(c *cli.Context, needRegistry, signed bool) (s chain.Session, err error) {
	if signed {
		if s.Key, err = loadSigningKey(c); err != nil {
			return s, err
		}
	}
	if c.String(flagRPCURL) == "" {
		return s, fmt.Errorf("--%s is required", flagRPCURL)
	}
	if needRegistry {
		if s.Registry, err = cliapp.Address(c, flagRegistry); err != nil || s.Registry == (common.Address{}) {
			return s, cmp.Or(err, fmt.Errorf("--%s is required", flagRegistry))
		}
	}
	s.RPCURL, s.ChainID, s.Timeout, s.Logger = c.String(flagRPCURL), c.Uint64(flagChainID), txTimeout(c), cliapp.Logger(c)
	return s, nil
}

// withChain runs fn in the session of the chain flags (chainSession), with a
// signing sender when signed, unless readErr, met reading the command's own flags
// before, says they are bad: then nothing is loaded or dialled. Errors are bad
// input (exit 2).
func withChain(c *cli.Context, readErr error, needRegistry, signed bool, fn func(ctx context.Context, cc *chain.Conn, s *chain.DirectSender) error) error {
	err := readErr
	var s chain.Session
	if err == nil {
		s, err = chainSession(c, needRegistry, signed)
	}
	if err == nil {
		err = s.Run(c.Context, fn)
	}
	if err != nil {
		return badInput(err)
	}
	return nil
}

func printTx(w io.Writer, r *types.Receipt) {
	fmt.Fprintf(w, "tx %s block %d gas-used %d\n", r.TxHash.Hex(), r.BlockNumber.Uint64(), r.GasUsed)
}

// sendTx is a command that sends the one registry transaction tx builds and prints
// its receipt, then what after prints (nil: nothing). read parses the command's
// flags into tx's argument first.
func sendTx[T any](what string, read func(*cli.Context) (T, error), tx func(*chain.Registry, T) chain.TxCandidate, after func(io.Writer, T)) cli.ActionFunc {
	return func(c *cli.Context) error {
		arg, err := read(c)
		return withChain(c, err, true, true, func(ctx context.Context, cc *chain.Conn, s *chain.DirectSender) error {
			r, err := cc.Registry.Transact(ctx, s, tx(cc.Registry, arg))
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			printTx(c.App.Writer, r)
			if after != nil {
				after(c.App.Writer, arg)
			}
			return nil
		})
	}
}

// onHash is sendTx for a transaction on the hash in flag (a policy hash, a machine id).
func onHash(flag, what string, tx func(*chain.Registry, common.Hash) chain.TxCandidate) cli.ActionFunc {
	return sendTx(what, func(c *cli.Context) (common.Hash, error) { return cliapp.RequiredHash(c, flag) }, tx, nil)
}

// deployConfig reads registry deploy's flags; the owner stays zero (the sender)
// without --owner. chain.DeployConfig.Check's refusals name the flags.
func deployConfig(c *cli.Context) (chain.DeployConfig, error) {
	f := cliapp.Read(c)
	cfg := chain.DeployConfig{Owner: f.Address(flagOwner), Oracles: f.Addresses(flagOracle), Threshold: f.UintIn(flagThreshold, 1, 255),
		MaxAnchorAge: c.Uint(flagMaxAnchorAge), WithConsumer: c.Bool(flagWithConsumer)}
	if err := f.Err(); err != nil {
		return cfg, err
	}
	return cfg, cliapp.FlagNames(cfg.Check(), nil, nil, cliapp.ByTable(map[string]string{"Oracles": flagOracle, "Threshold": flagThreshold, "MaxAnchorAge": flagMaxAnchorAge}))
}

func runDeploy(c *cli.Context) error {
	cfg, err := deployConfig(c)
	return withChain(c, err, false, true, func(ctx context.Context, cc *chain.Conn, s *chain.DirectSender) error {
		d, err := chain.Deploy(ctx, cc.Client, s, cfg)
		if d == nil {
			return err
		}
		w := c.App.Writer
		fmt.Fprintf(w, "registry %s\ndeploy-block %d\n", d.Registry.Address().Hex(), d.Receipt.BlockNumber.Uint64())
		fmt.Fprintf(w, "chain-id %d\nowner %s\n", cc.ChainID, d.Owner.Hex())
		printTx(w, d.Receipt)
		if d.Consumer != nil {
			fmt.Fprintf(w, "consumer %s\n", d.Consumer.Address().Hex())
			printTx(w, d.ConsumerReceipt)
		}
		return err
	})
}

func oracleChange(add bool) cli.ActionFunc {
	return func(c *cli.Context) error {
		oracles, err := cliapp.Addresses(c, flagOracle)
		if err == nil && len(oracles) == 0 {
			err = fmt.Errorf("--%s is required", flagOracle)
		}
		return withChain(c, err, true, true, func(ctx context.Context, cc *chain.Conn, s *chain.DirectSender) error {
			rcpts, err := cc.Registry.ChangeOracles(ctx, s, add, oracles)
			for _, r := range rcpts {
				printTx(c.App.Writer, r)
			}
			return err
		})
	}
}

func runOraclesList(c *cli.Context) error {
	return withChain(c, nil, true, false, func(ctx context.Context, cc *chain.Conn, _ *chain.DirectSender) error {
		q, err := cc.Registry.Quorum(ctx, chain.BlockRange{From: c.Uint64(flagFromBlock)})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "threshold %d\n", q.Threshold)
		for _, o := range q.Signers {
			fmt.Fprintf(c.App.Writer, "oracle %s\n", o.Hex())
		}
		return nil
	})
}

// policyToRegister reads --policy FILE, or --policy-hash with --validity.
func policyToRegister(c *cli.Context) (chain.PolicyRegistration, error) {
	p, h, err := policyFileOrHash(c, fmt.Sprintf("give --%s, or --%s with --%s, not both", flagPolicy, flagPolicyHash, flagValidity), flagPolicyHash, flagValidity)
	r := chain.PolicyRegistration{Hash: h, Validity: c.Duration(flagValidity), URI: c.String(flagPolicyURI)}
	if err != nil {
		return r, err
	}
	if p != nil {
		r.Validity = time.Duration(p.ValiditySeconds) * time.Second
	}
	return r, cliapp.FlagNames(r.Check(), nil, nil, cliapp.ByTable(map[string]string{"Validity": flagValidity}))
}

// policyFileOrHash reads --policy FILE (p is the policy), or else the required
// --policy-hash (p is nil). With the file, none of others may be given: conflict
// says so.
func policyFileOrHash(c *cli.Context, conflict string, others ...string) (p *policy.Policy, h common.Hash, err error) {
	file := c.String(flagPolicy)
	if file == "" {
		if h, err = cliapp.RequiredHash(c, flagPolicyHash); err != nil {
			return nil, h, fmt.Errorf("%w (or give --%s FILE)", err, flagPolicy)
		}
		return nil, h, nil
	}
	if set, _ := cliapp.Given(c, others...); len(set) > 0 {
		return nil, h, errors.New(conflict)
	}
	return policy.LoadHashed(file)
}

// runPolicyHash prints a policy file's canonical hash, offline.
func runPolicyHash(c *cli.Context) error {
	if c.NArg() != 1 {
		return badInput(fmt.Errorf("give one policy FILE (teeoracle policy hash FILE)"))
	}
	p, h, err := policy.LoadHashed(c.Args().First())
	if err != nil {
		return badInput(err)
	}
	printPolicyFile(c.App.Writer, p, h)
	return nil
}

func printPolicyFile(w io.Writer, p *policy.Policy, h common.Hash) {
	fmt.Fprintf(w, "policy %s\nname %s\nvalidity-seconds %d\n", h.Hex(), p.Name, p.ValiditySeconds)
}

// runPolicyShow prints a policy file (offline without --rpc-url) and what the
// registry knows of it or of --policy-hash.
func runPolicyShow(c *cli.Context) error {
	file, hash, err := policyFileOrHash(c, fmt.Sprintf("give --%s or --%s, not both", flagPolicy, flagPolicyHash), flagPolicyHash)
	if err != nil {
		return badInput(err)
	}
	if file != nil {
		printPolicyFile(c.App.Writer, file, hash)
		if c.String(flagRPCURL) == "" {
			return nil
		}
	}
	return withChain(c, nil, true, false, func(ctx context.Context, cc *chain.Conn, _ *chain.DirectSender) error {
		p, err := cc.Registry.Policy(ctx, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "policy %s\nid %d\nstate %s\nvalidity-seconds %d\n", hash.Hex(), p.ID, chain.PolicyStateName(p.State), p.ValiditySeconds)
		return nil
	})
}

func runMachineRegister(c *cli.Context) error {
	salt, err := cliapp.Salt(c, flagSalt)
	tee, teeErr := evidence.ParseTEEName(c.String(flagTEE))
	if err == nil && teeErr != nil {
		err = fmt.Errorf("--%s %q: want sev-snp or tdx", flagTEE, c.String(flagTEE))
	}
	return withChain(c, err, true, true, func(ctx context.Context, cc *chain.Conn, s *chain.DirectSender) error {
		id, r, err := cc.Registry.RegisterMachine(ctx, s, salt, uint8(tee), c.String(flagMetadataURI))
		if err != nil {
			return err
		}
		printTx(c.App.Writer, r)
		fmt.Fprintf(c.App.Writer, "machine %s\nprovider %s\n", id.Hex(), s.From().Hex())
		return nil
	})
}

// authorization is a machine and the TEE key its provider authorises.
type authorization struct {
	id  common.Hash
	key common.Address
}

// keyToAuthorize reads machine authorize-key's --machine-id and --tee-key.
func keyToAuthorize(c *cli.Context) (a authorization, err error) {
	if a.id, err = cliapp.RequiredHash(c, flagMachineID); err != nil {
		return a, err
	}
	if c.String(flagTEEKey) == "" {
		return a, fmt.Errorf("--%s is required: the TEE key's address, as the machine's agent prints it", flagTEEKey)
	}
	a.key, err = cliapp.Address(c, flagTEEKey)
	return a, err
}

func runMachineShow(c *cli.Context) error {
	id, err := cliapp.RequiredHash(c, flagMachineID)
	return withChain(c, err, true, false, func(ctx context.Context, cc *chain.Conn, _ *chain.DirectSender) error {
		m, trusted, err := cc.Registry.MachineTrust(ctx, id)
		if err != nil {
			return err
		}
		pending, err := cc.Registry.AuthorizedKey(ctx, id)
		if err != nil {
			return err
		}
		tee, status := cliapp.NoneIfZero(m.TEE, evidence.TEE(m.TEE).String()), cliapp.NoneIfZero(m.Status, m.Status.String())
		w := c.App.Writer
		fmt.Fprintf(w, "machine %s\nprovider %s\ntee %s\nstate %s\n", id.Hex(), m.Provider.Hex(), tee, chain.MachineStateName(m.State))
		fmt.Fprintf(w, "tee-key %s\nauthorized-key %s\n", m.TEEKey.Hex(), cliapp.NoneIfZero(pending, pending.Hex()))
		fmt.Fprintf(w, "status %s\ntcb-status %s\ntcb 0x%016x\npolicy %s\n", status, appraise.TCBStatus(m.TCBStatus), m.TCB, m.PolicyHash.Hex())
		fmt.Fprintf(w, "issued-at %s\nexpires-at %s\ntrusted %t\n", cliapp.UnixTime(m.IssuedAt), cliapp.UnixTime(m.ExpiresAt), trusted)
		return nil
	})
}

// runQuery asks whether --machine-id, or the machine of --tee-key, is trusted;
// not trusted is exit status 1.
func runQuery(c *cli.Context) error {
	hasMachine, hasKey := c.String(flagMachineID) != "", c.String(flagTEEKey) != ""
	if hasMachine == hasKey {
		return badInput(fmt.Errorf("give exactly one of --%s or --%s", flagMachineID, flagTEEKey))
	}
	f := cliapp.Read(c)
	id, key := f.Hash(flagMachineID), f.Address(flagTEEKey)
	trusted := false
	err := withChain(c, f.Err(), true, false, func(ctx context.Context, cc *chain.Conn, _ *chain.DirectSender) error {
		var err error
		if id, trusted, err = cc.Registry.Trust(ctx, id, key); err != nil {
			return err
		}
		if hasKey {
			fmt.Fprintf(c.App.Writer, "key %s\n", key.Hex())
		}
		fmt.Fprintf(c.App.Writer, "machine %s\ntrusted %t\n", id.Hex(), trusted)
		return nil
	})
	if err != nil {
		return err
	}
	if !trusted {
		return cliapp.Exit(exitUntrusted, nil)
	}
	return nil
}
