package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
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
						{Name: "add", Usage: "add oracle signers (owner only), one transaction each", Flags: txFlags(oracleFlag()),
							Action: oracleChange(true)},
						{Name: "remove", Usage: "remove oracle signers (owner only), one transaction each; asks for confirmation",
							Flags: txFlags(oracleFlag(), yesFlag()), Action: cliapp.Confirmed(prompt, flagYes, func(c *cli.Context) string {
								return "remove oracle signer(s) " + strings.Join(c.StringSlice(flagOracle), ", ") + " from the registry"
							}, oracleChange(false))},
						{Name: "threshold", Usage: "set the quorum M (owner only)", Flags: txFlags(thresholdFlag()),
							Action: runSetThreshold},
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
					Flags:     policyRegisterFlags(), Action: runPolicyRegister},
				{Name: "retire", Usage: "retire a policy (owner only): every machine under it becomes untrusted, for good; asks for confirmation",
					Flags: txFlags(policyHashFlag(), yesFlag()), Action: cliapp.Confirmed(prompt, flagYes, func(c *cli.Context) string {
						return "retire policy " + c.String(flagPolicyHash) + ": every machine under it becomes untrusted, and a retired policy cannot be registered again"
					}, runPolicyRetire)},
				{Name: "show", Usage: "print a policy file's name, canonical hash and validity, and what the registry knows about it",
					UsageText: "teeoracle policy show (--policy FILE | --policy-hash HASH) [--rpc-url URL --registry ADDRESS]",
					Flags:     append(chainReadFlags(), policyHashFlag(), verifyFlag(flagPolicy)), Action: runPolicyShow},
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
					Flags: txFlags(machineIDFlag(""), yesFlag()), Action: cliapp.Confirmed(prompt, flagYes, func(c *cli.Context) string {
						return "deregister machine " + c.String(flagMachineID) + ": its id can never be registered again"
					}, runMachineDeregister)},
				{Name: "authorize-key", Usage: "let one of your machines' TEE keys be bound to it by its next trusted verdict",
					UsageText: "teeoracle machine authorize-key --machine-id ID --tee-key ADDRESS chain and key flags\n\n" +
						"A machine's first verdict, and every key rotation, binds only the key its provider authorised:\n" +
						"run this with the address the machine's agent prints (its TEE key) before the agent attests.",
					Flags: txFlags(machineIDFlag(""), teeKeyFlag("")), Action: runMachineAuthorizeKey},
				{Name: "revoke-key", Usage: "withdraw a machine's key: drop a pending authorisation and unbind (untrust) its bound key",
					Flags: txFlags(machineIDFlag("")), Action: runMachineRevokeKey},
				{Name: "show", Usage: "print a machine's record and latest verdict",
					Flags: append(chainReadFlags(), machineIDFlag("")), Action: runMachineShow},
			},
		},
		{
			Name:        "query",
			Usage:       "ask the registry whether a machine (or a TEE key) is trusted now",
			UsageText:   "teeoracle query --rpc-url URL --registry ADDRESS (--machine-id ID | --tee-key ADDRESS)",
			Description: "Exit status: 0 trusted, 1 not trusted, 2 bad input or error.",
			Flags:       queryFlags(),
			Action:      runQuery,
		},
	}
}

// chainConn is a dialled chain with, when the command has one, the registry.
type chainConn struct {
	client  *ethclient.Client
	chainID uint64
	reg     *chain.Registry
}

func (cc *chainConn) close() { cc.client.Close() }

// txTimeout bounds everything a command does on the chain.
func txTimeout(c *cli.Context) time.Duration {
	if d := c.Duration(flagTxTimeout); d > 0 {
		return d
	}
	return defaultTxTimeout
}

// dial connects to --rpc-url, checks --chain-id, and opens --registry when
// needRegistry.
func dial(ctx context.Context, c *cli.Context, needRegistry bool) (*chainConn, error) {
	url := c.String(flagRPCURL)
	if url == "" {
		return nil, fmt.Errorf("--%s is required", flagRPCURL)
	}
	var regAddr common.Address
	if needRegistry {
		a, err := cliapp.Address(c, flagRegistry)
		if err != nil {
			return nil, err
		}
		if a == (common.Address{}) {
			return nil, fmt.Errorf("--%s is required", flagRegistry)
		}
		regAddr = a
	}
	client, err := ethclient.DialContext(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("dial --%s %s: %w", flagRPCURL, chain.RedactURL(url), chain.ScrubURL(err, url))
	}
	conn := &chainConn{client: client}
	if needRegistry {
		conn.reg, err = chain.OpenRegistry(ctx, client, regAddr, c.Uint64(flagChainID))
		if err == nil {
			conn.chainID = conn.reg.ChainID()
		}
	} else {
		conn.chainID, err = chain.CheckChainID(ctx, client, c.Uint64(flagChainID))
	}
	if err != nil {
		client.Close()
		return nil, err
	}
	return conn, nil
}

// withChain runs fn with a context bounded by --tx-timeout and a dialled chain,
// and a signing sender when signed. Errors are bad input (exit 2).
func withChain(c *cli.Context, needRegistry, signed bool, fn func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error) error {
	var key *ecdsa.PrivateKey
	if signed {
		k, err := loadSigningKey(c)
		if err != nil {
			return badInput(err)
		}
		key = k
	}
	ctx, cancel := context.WithTimeout(c.Context, txTimeout(c))
	defer cancel()
	cc, err := dial(ctx, c, needRegistry)
	if err != nil {
		return badInput(chain.ScrubURL(err, c.String(flagRPCURL)))
	}
	defer cc.close()
	var s *chain.DirectSender
	if signed {
		if s, err = chain.NewDirectSender(cc.client, bind.NewKeyedTransactor(key, new(big.Int).SetUint64(cc.chainID)), nil); err != nil {
			return badInput(err)
		}
		cliapp.Logger(c).Debug("sending from", "account", s.From(), "chain", cc.chainID)
	}
	if err := fn(ctx, cc, s); err != nil {
		return badInput(chain.ScrubURL(err, c.String(flagRPCURL)))
	}
	return nil
}

func printTx(w io.Writer, r *types.Receipt) {
	fmt.Fprintf(w, "tx %s block %d gas-used %d\n", r.TxHash.Hex(), r.BlockNumber.Uint64(), r.GasUsed)
}

// send sends one registry transaction and prints its receipt.
func send(ctx context.Context, c *cli.Context, cc *chainConn, s *chain.DirectSender, what string, cand chain.TxCandidate) error {
	r, err := cc.reg.Transact(ctx, s, cand)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	printTx(c.App.Writer, r)
	return nil
}

// sendOnHash sends the one transaction tx builds from the hash in flag (a policy
// hash, a machine id).
func sendOnHash(c *cli.Context, flag, what string, tx func(*chain.Registry, common.Hash) chain.TxCandidate) error {
	h, err := cliapp.RequiredHash(c, flag)
	if err != nil {
		return badInput(err)
	}
	return withChain(c, true, true, func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error {
		return send(ctx, c, cc, s, what, tx(cc.reg, h))
	})
}

// deployConfig reads registry deploy's flags; the owner stays zero (the sender)
// without --owner.
func deployConfig(c *cli.Context) (chain.DeployConfig, error) {
	oracles, err := cliapp.Addresses(c, flagOracle)
	if err != nil {
		return chain.DeployConfig{}, err
	}
	if len(oracles) == 0 {
		return chain.DeployConfig{}, fmt.Errorf("--%s is required: the initial oracle signers", flagOracle)
	}
	m, err := cliapp.UintIn(c, flagThreshold, 1, 255)
	if err != nil {
		return chain.DeployConfig{}, err
	}
	if m > uint(len(oracles)) {
		return chain.DeployConfig{}, fmt.Errorf("--%s %d: more than the %d --%s signers given; a quorum of %d could never be reached", flagThreshold, m, len(oracles), flagOracle, m)
	}
	age := c.Uint(flagMaxAnchorAge)
	if age < 1 || age > 256 {
		return chain.DeployConfig{}, fmt.Errorf("--%s %d: want 1..256", flagMaxAnchorAge, age)
	}
	owner, err := cliapp.Address(c, flagOwner)
	return chain.DeployConfig{Owner: owner, Oracles: oracles, Threshold: uint8(m), MaxAnchorAge: uint16(age),
		WithConsumer: c.Bool(flagWithConsumer)}, err
}

func runDeploy(c *cli.Context) error {
	cfg, err := deployConfig(c)
	if err != nil {
		return badInput(err)
	}
	return withChain(c, false, true, func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error {
		d, err := chain.Deploy(ctx, cc.client, s, cfg)
		if d == nil {
			return err
		}
		w := c.App.Writer
		fmt.Fprintf(w, "registry %s\ndeploy-block %d\n", d.Registry.Address().Hex(), d.Receipt.BlockNumber.Uint64())
		fmt.Fprintf(w, "chain-id %d\nowner %s\n", cc.chainID, d.Owner.Hex())
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
		if err != nil {
			return badInput(err)
		}
		if len(oracles) == 0 {
			return badInput(fmt.Errorf("--%s is required", flagOracle))
		}
		return withChain(c, true, true, func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error {
			rcpts, err := cc.reg.ChangeOracles(ctx, s, add, oracles)
			for _, r := range rcpts {
				printTx(c.App.Writer, r)
			}
			return err
		})
	}
}

func runSetThreshold(c *cli.Context) error {
	m, err := cliapp.UintIn(c, flagThreshold, 1, 255)
	if err != nil {
		return badInput(err)
	}
	return withChain(c, true, true, func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error {
		return send(ctx, c, cc, s, "set threshold", cc.reg.SetThresholdTx(uint8(m)))
	})
}

func runOraclesList(c *cli.Context) error {
	return withChain(c, true, false, func(ctx context.Context, cc *chainConn, _ *chain.DirectSender) error {
		q, err := cc.reg.Quorum(ctx, chain.BlockRange{From: c.Uint64(flagFromBlock)})
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
func policyToRegister(c *cli.Context) (common.Hash, uint64, error) {
	switch file := c.String(flagPolicy); {
	case file != "" && (c.String(flagPolicyHash) != "" || c.IsSet(flagValidity)):
		return common.Hash{}, 0, fmt.Errorf("give --%s, or --%s with --%s, not both", flagPolicy, flagPolicyHash, flagValidity)
	case file != "":
		p, h, err := policy.LoadHashed(file)
		if err != nil {
			return common.Hash{}, 0, err
		}
		return h, p.ValiditySeconds, nil
	}
	h, err := cliapp.RequiredHash(c, flagPolicyHash)
	if err != nil {
		return common.Hash{}, 0, fmt.Errorf("%w (or give --%s FILE)", err, flagPolicy)
	}
	d := c.Duration(flagValidity)
	if d < time.Second || d%time.Second != 0 {
		return common.Hash{}, 0, fmt.Errorf("--%s %s: want a whole number of seconds, at least 1s", flagValidity, d)
	}
	return h, uint64(d / time.Second), nil
}

func runPolicyRegister(c *cli.Context) error {
	hash, validity, err := policyToRegister(c)
	if err != nil {
		return badInput(err)
	}
	return withChain(c, true, true, func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error {
		if err := send(ctx, c, cc, s, "register policy", cc.reg.RegisterPolicyTx(hash, validity, c.String(flagPolicyURI))); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "policy %s\nvalidity-seconds %d\n", hash.Hex(), validity)
		return nil
	})
}

func runPolicyRetire(c *cli.Context) error {
	return sendOnHash(c, flagPolicyHash, "retire policy", (*chain.Registry).RetirePolicyTx)
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
	var hash common.Hash
	switch file := c.String(flagPolicy); {
	case file != "" && c.String(flagPolicyHash) != "":
		return badInput(fmt.Errorf("give --%s or --%s, not both", flagPolicy, flagPolicyHash))
	case file != "":
		p, h, err := policy.LoadHashed(file)
		if err != nil {
			return badInput(err)
		}
		printPolicyFile(c.App.Writer, p, h)
		if c.String(flagRPCURL) == "" {
			return nil
		}
		hash = h
	default:
		h, err := cliapp.RequiredHash(c, flagPolicyHash)
		if err != nil {
			return badInput(fmt.Errorf("%w (or give --%s FILE)", err, flagPolicy))
		}
		hash = h
	}
	return withChain(c, true, false, func(ctx context.Context, cc *chainConn, _ *chain.DirectSender) error {
		p, err := cc.reg.Policy(ctx, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "policy %s\nid %d\nstate %s\nvalidity-seconds %d\n", hash.Hex(), p.ID, chain.PolicyStateName(p.State), p.ValiditySeconds)
		return nil
	})
}

func runMachineRegister(c *cli.Context) error {
	salt, err := cliapp.Salt(c, flagSalt)
	if err != nil {
		return badInput(err)
	}
	tee, err := evidence.ParseTEEName(c.String(flagTEE))
	if err != nil {
		return badInput(fmt.Errorf("--%s %q: want sev-snp or tdx", flagTEE, c.String(flagTEE)))
	}
	return withChain(c, true, true, func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error {
		id, r, err := cc.reg.RegisterMachine(ctx, s, salt, uint8(tee), c.String(flagMetadataURI))
		if err != nil {
			return err
		}
		printTx(c.App.Writer, r)
		fmt.Fprintf(c.App.Writer, "machine %s\nprovider %s\n", id.Hex(), s.From().Hex())
		return nil
	})
}

func runMachineDeregister(c *cli.Context) error {
	return sendOnHash(c, flagMachineID, "deregister machine", (*chain.Registry).DeregisterMachineTx)
}

func runMachineAuthorizeKey(c *cli.Context) error {
	id, err := cliapp.RequiredHash(c, flagMachineID)
	if err != nil {
		return badInput(err)
	}
	if c.String(flagTEEKey) == "" {
		return badInput(fmt.Errorf("--%s is required: the TEE key's address, as the machine's agent prints it", flagTEEKey))
	}
	key, err := cliapp.Address(c, flagTEEKey)
	if err != nil {
		return badInput(err)
	}
	return withChain(c, true, true, func(ctx context.Context, cc *chainConn, s *chain.DirectSender) error {
		if err := send(ctx, c, cc, s, "authorize key", cc.reg.AuthorizeKeyTx(id, key)); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "machine %s\nauthorized-key %s\n", id.Hex(), key.Hex())
		return nil
	})
}

func runMachineRevokeKey(c *cli.Context) error {
	return sendOnHash(c, flagMachineID, "revoke key", (*chain.Registry).RevokeKeyTx)
}

func runMachineShow(c *cli.Context) error {
	id, err := cliapp.RequiredHash(c, flagMachineID)
	if err != nil {
		return badInput(err)
	}
	return withChain(c, true, false, func(ctx context.Context, cc *chainConn, _ *chain.DirectSender) error {
		m, trusted, err := cc.reg.MachineTrust(ctx, id)
		if err != nil {
			return err
		}
		tee, status := cliapp.NoneIfZero(m.TEE, evidence.TEE(m.TEE).String()), cliapp.NoneIfZero(m.Status, m.Status.String())
		w := c.App.Writer
		fmt.Fprintf(w, "machine %s\nprovider %s\ntee %s\nstate %s\n", id.Hex(), m.Provider.Hex(), tee, chain.MachineStateName(m.State))
		fmt.Fprintf(w, "tee-key %s\nstatus %s\ntcb-status %s\ntcb 0x%016x\npolicy %s\n", m.TEEKey.Hex(), status, appraise.TCBStatus(m.TCBStatus), m.TCB, m.PolicyHash.Hex())
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
	id, err := cliapp.Hash(c, flagMachineID)
	if err != nil {
		return badInput(err)
	}
	key, err := cliapp.Address(c, flagTEEKey)
	if err != nil {
		return badInput(err)
	}
	trusted := false
	err = withChain(c, true, false, func(ctx context.Context, cc *chainConn, _ *chain.DirectSender) error {
		var err error
		if hasMachine {
			trusted, err = cc.reg.IsTrusted(ctx, id)
		} else {
			id, trusted, err = cc.reg.KeyTrust(ctx, key)
		}
		if err != nil {
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
