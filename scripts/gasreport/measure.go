package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/gethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// chainClient is what the report needs: the registry client's backend, the direct
// sender's client, and headers.
type chainClient interface {
	chain.RegistryBackend
	chain.DirectClient
	HeaderByHash(ctx context.Context, hash common.Hash) (*types.Header, error)
}

// gasChain is the chain the report runs on.
type gasChain struct {
	client chainClient
	// mine mines one block: the simulated backend's Commit, anvil's evm_mine.
	mine func(ctx context.Context) error
	// autoMines is set for nodes that mine each transaction on arrival (anvil).
	autoMines bool
}

// Figure is one line of the report. Gas is the figure as printed; CalldataGas is
// the share of it that is calldata (16 gas per non-zero byte, 4 per zero byte,
// combined as Gas is), the only part that may differ between two chains (block
// hashes, times and so signatures differ, and with them their count of zero
// bytes). NonCalldata is the rest, exact and equal on every chain with the same
// rules: for the batch it is of the whole transaction, not divided by 50.
type Figure struct {
	Name        string
	Gas         int64
	CalldataGas int64
	NonCalldata int64
}

// Operation names, in report order.
const (
	opRegister          = "register"
	opAuthorizeKey      = "authorize_key"
	opFirstVerdict      = "first_verdict"
	opReattest1of1      = "reattest_1of1"
	opReattest2of3      = "reattest_2of3"
	opBatch50PerVerdict = "batch50_per_verdict"
	opReattestBatch1of1 = "reattest_batch_1of1"
	// The batch of 100 twice: every machine running one image (a provider's fleet; the goal),
	// and every machine its own image (no interned workload pair is shared).
	opBatch100SharedImage = "batch100_2of3_shared_image_per_verdict"
	opBatch100OwnImages   = "batch100_2of3_own_image_per_verdict"
	opIsTrusted           = "is_trusted"
	opIsTrustedColdCall   = "is_trusted_incl_cold_call"
	opIsTrustedFor        = "is_trusted_for"
	batchSize             = 50
	bigBatchSize          = 100
	validitySeconds       = 86400
	registerMetadataURI   = "https://provider.example/m/1"
	policyURI             = "ipfs://policy-v1"
	tcbSNP                = 0x0b00000000001587
)

// calldataGas is the EIP-2028 calldata cost of data.
func calldataGas(data []byte) int64 {
	var g int64
	for _, b := range data {
		if b == 0 {
			g += 4
		} else {
			g += 16
		}
	}
	return g
}

// run is one measured transaction.
type txGas struct {
	gas, calldata int64
}

// session holds the accounts and the chain for one report.
type session struct {
	ctx     context.Context
	c       *gasChain
	chainID uint64
	owner   *chain.DirectSender // deploys, governs, provides, submits
	tee     *chain.DirectSender // the TEE key: calls the consumer
	teeAddr common.Address
}

func (s *session) sender(i int) (*chain.DirectSender, common.Address, error) {
	key, addr := testchain.DevKey(i)
	opts := bind.NewKeyedTransactor(key, new(big.Int).SetUint64(s.chainID))
	var mine func()
	if !s.c.autoMines {
		mine = func() { _ = s.c.mine(s.ctx) }
	}
	d, err := chain.NewDirectSender(s.c.client, opts, mine)
	if err != nil {
		return nil, common.Address{}, err
	}
	d.PollInterval = 10_000_000 // 10 ms
	return d, addr, nil
}

// send sends c from d and returns its gas, failing on any revert.
func (s *session) send(reg *chain.Registry, d *chain.DirectSender, c chain.TxCandidate, al types.AccessList) (txGas, error) {
	var (
		rcpt *types.Receipt
		err  error
	)
	if al != nil {
		rcpt, err = d.SendWithAccessList(s.ctx, c, al)
	} else {
		rcpt, err = reg.Transact(s.ctx, d, c)
	}
	if err != nil {
		return txGas{}, err
	}
	return txGas{gas: int64(rcpt.GasUsed), calldata: calldataGas(c.Data)}, nil
}

// measure performs every operation with real transactions and returns the figures.
func measure(ctx context.Context, c *gasChain) ([]Figure, error) {
	chainID, err := chain.CheckChainID(ctx, c.client, 0)
	if err != nil {
		return nil, err
	}
	s := &session{ctx: ctx, c: c, chainID: chainID}
	if s.owner, _, err = s.sender(0); err != nil {
		return nil, err
	}
	if s.tee, s.teeAddr, err = s.sender(1); err != nil {
		return nil, err
	}
	var figs []Figure
	add := func(name string, g txGas) {
		figs = append(figs, Figure{Name: name, Gas: g.gas, CalldataGas: g.calldata, NonCalldata: g.gas - g.calldata})
	}

	// --- 1-of-1 registry: register, first verdict, re-attestation -------------------
	oracles1 := oracleKeys(1)
	reg, policy, err := s.deploy(oracles1, 1)
	if err != nil {
		return nil, err
	}
	g, err := s.send(reg, s.owner, reg.RegisterMachineTx(common.BigToHash(big.NewInt(1)), verdict.TEESEVSNP, registerMetadataURI), nil)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	add(opRegister, g)
	id := chain.MachineID(s.owner.From(), common.BigToHash(big.NewInt(1)))
	if g, err = s.send(reg, s.owner, reg.AuthorizeKeyTx(id, s.teeAddr), nil); err != nil {
		return nil, fmt.Errorf("authorize key: %w", err)
	}
	add(opAuthorizeKey, g)
	v, err := s.verdict(reg, id, s.teeAddr, policy, 0)
	if err != nil {
		return nil, err
	}
	if g, err = s.submit(reg, v, oracles1); err != nil {
		return nil, fmt.Errorf("first verdict: %w", err)
	}
	add(opFirstVerdict, g)
	if v, err = s.verdict(reg, id, s.teeAddr, policy, v.IssuedAt); err != nil {
		return nil, err
	}
	if g, err = s.submit(reg, v, oracles1); err != nil {
		return nil, fmt.Errorf("re-attestation 1-of-1: %w", err)
	}
	add(opReattest1of1, g)
	if v, err = s.verdict(reg, id, s.teeAddr, policy, v.IssuedAt); err != nil {
		return nil, err
	}
	if g, err = s.submitBatch(reg, []*verdict.Verdict{&v}, oracles1); err != nil {
		return nil, fmt.Errorf("re-attestation 1-of-1 by submitBatch: %w", err)
	}
	add(opReattestBatch1of1, g)

	// --- the consumer's gate ---------------------------------------------------------
	gate, coldGate, pinned, err := s.gate(reg, v.WorkloadID)
	if err != nil {
		return nil, err
	}

	// --- a batch of 50 re-attestations -----------------------------------------------
	batch, err := s.batch(reg, policy, oracles1)
	if err != nil {
		return nil, err
	}

	// --- 2-of-3 registry: re-attestation ---------------------------------------------
	oracles3 := oracleKeys(3)
	reg3, policy3, err := s.deploy(oracles3, 2)
	if err != nil {
		return nil, err
	}
	if _, err = s.send(reg3, s.owner, reg3.RegisterMachineTx(common.BigToHash(big.NewInt(1)), verdict.TEESEVSNP, ""), nil); err != nil {
		return nil, fmt.Errorf("register on the 2-of-3 registry: %w", err)
	}
	if _, err = s.send(reg3, s.owner, reg3.AuthorizeKeyTx(id, s.teeAddr), nil); err != nil {
		return nil, fmt.Errorf("authorize key on the 2-of-3 registry: %w", err)
	}
	if v, err = s.verdict(reg3, id, s.teeAddr, policy3, 0); err != nil {
		return nil, err
	}
	if _, err = s.submit(reg3, v, oracles3[:2]); err != nil {
		return nil, fmt.Errorf("first verdict 2-of-3: %w", err)
	}
	if v, err = s.verdict(reg3, id, s.teeAddr, policy3, v.IssuedAt); err != nil {
		return nil, err
	}
	if g, err = s.submit(reg3, v, oracles3[:2]); err != nil {
		return nil, fmt.Errorf("re-attestation 2-of-3: %w", err)
	}
	add(opReattest2of3, g)
	shared, err := s.signedBatch(reg3, policy3, oracles3[:2], 5000, true)
	if err != nil {
		return nil, err
	}
	own, err := s.signedBatch(reg3, policy3, oracles3[:2], 6000, false)
	if err != nil {
		return nil, err
	}
	figs = append(figs, batch, shared, own, gate, coldGate, pinned)
	return figs, nil
}

// oracleKeys returns n fixed oracle keys sorted by address, so every run signs alike.
func oracleKeys(n int) []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("teeoracle gas-report oracle %d", i))))
		if err != nil {
			panic(err) // a keccak output is a valid key with overwhelming probability; these are fixed
		}
		keys[i] = k
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0 && addrLess(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func addrLess(a, b *ecdsa.PrivateKey) bool {
	x, y := crypto.PubkeyToAddress(a.PublicKey), crypto.PubkeyToAddress(b.PublicKey)
	return string(x[:]) < string(y[:])
}

// deploy deploys a registry with the oracles and quorum m, and registers a policy.
func (s *session) deploy(oracles []*ecdsa.PrivateKey, m uint8) (*chain.Registry, common.Hash, error) {
	addrs := make([]common.Address, len(oracles))
	for i, k := range oracles {
		addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
	}
	reg, _, err := chain.DeployRegistry(s.ctx, s.c.client, s.owner, s.owner.From(), addrs, m, 256)
	if err != nil {
		return nil, common.Hash{}, err
	}
	policy := crypto.Keccak256Hash([]byte("teeoracle.policy.v1"))
	if _, err := s.send(reg, s.owner, reg.RegisterPolicyTx(policy, validitySeconds, policyURI), nil); err != nil {
		return nil, common.Hash{}, fmt.Errorf("register policy: %w", err)
	}
	return reg, policy, nil
}

// verdict builds a trusted verdict anchored at the latest block's parent (gas
// estimation runs in the latest block, where the latest block is not yet in the
// past), issued at the latest block's time, which it first makes later than after
// (the machine's stored issuedAt) by mining blocks.
func (s *session) verdict(reg *chain.Registry, id common.Hash, key common.Address, policy common.Hash, after uint64) (verdict.Verdict, error) {
	var head *types.Header
	for i := 0; ; i++ {
		h, err := s.c.client.HeaderByNumber(s.ctx, nil)
		if err != nil {
			return verdict.Verdict{}, fmt.Errorf("latest header: %w", err)
		}
		if h.Time > after && h.Number.Sign() > 0 {
			head = h
			break
		}
		if i == 5 {
			return verdict.Verdict{}, fmt.Errorf("%w: block %d at %d, need after %d", errNoProgress, h.Number, h.Time, after)
		}
		if err := s.c.mine(s.ctx); err != nil {
			return verdict.Verdict{}, fmt.Errorf("mine a block: %w", err)
		}
	}
	parent, err := s.c.client.HeaderByHash(s.ctx, head.ParentHash)
	if err != nil {
		return verdict.Verdict{}, fmt.Errorf("parent header: %w", err)
	}
	return verdict.Verdict{
		MachineID: id, TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TEEKey: key,
		WorkloadID: crypto.Keccak256Hash([]byte("workload"), id[:]), TCBStatus: 1, TCB: tcbSNP,
		PolicyHash:        policy,
		EvidenceHash:      crypto.Keccak256Hash([]byte("evidence"), id[:], key[:], new(big.Int).SetUint64(head.Time).Bytes()),
		AnchorBlockNumber: parent.Number.Uint64(), AnchorBlockHash: parent.Hash(),
		IssuedAt: head.Time, ExpiresAt: head.Time + validitySeconds,
	}, nil
}

func sign(reg *chain.Registry, v verdict.Verdict, keys []*ecdsa.PrivateKey) (chain.SignedVerdict, error) {
	sv := chain.SignedVerdict{Verdict: v}
	for _, k := range keys {
		sig, err := verdict.SignVerdict(&v, reg.Domain(), k)
		if err != nil {
			return sv, err
		}
		sv.Signatures = append(sv.Signatures, sig)
	}
	return sv, nil
}

func (s *session) submit(reg *chain.Registry, v verdict.Verdict, keys []*ecdsa.PrivateKey) (txGas, error) {
	sv, err := sign(reg, v, keys)
	if err != nil {
		return txGas{}, err
	}
	c, err := reg.SubmitVerdictTx(sv)
	if err != nil {
		return txGas{}, err
	}
	return s.send(reg, s.owner, c, nil)
}

// gate measures the consumer's gate: the gated call minus the identical ungated
// call, both sent by the trusted TEE key. is_trusted sends both with the registry
// in an EIP-2930 access list (paid alike by both, so it cancels out), isolating
// the query from the cold account access of the first call into the registry;
// is_trusted_incl_cold_call sends both without.
func (s *session) gate(reg *chain.Registry, workload common.Hash) (warm, cold, pinned Figure, err error) {
	cons, _, err := chain.DeployConsumer(s.ctx, reg, s.owner, workload)
	if err != nil {
		return warm, cold, pinned, err
	}
	if ok, err := reg.IsTrustedFor(s.ctx, s.teeAddr, workload); err != nil || !ok {
		return warm, cold, pinned, fmt.Errorf("the TEE key is not trusted for its workload before measuring the gate (%v)", err)
	}
	result := common.BigToHash(big.NewInt(1))
	pair := func(al types.AccessList, gated func(common.Hash) chain.TxCandidate) (int64, int64, error) {
		send := func(c chain.TxCandidate) (int64, error) {
			var rcpt *types.Receipt
			var err error
			if al != nil {
				rcpt, err = s.tee.SendWithAccessList(s.ctx, c, al)
			} else {
				rcpt, err = cons.Transact(s.ctx, s.tee, c)
			}
			if err != nil {
				return 0, err
			}
			return int64(rcpt.GasUsed), nil
		}
		u, err := send(cons.SubmitResultUngatedTx(result))
		if err != nil {
			return 0, 0, fmt.Errorf("ungated call: %w", err)
		}
		gt, err := send(gated(result))
		if err != nil {
			return 0, 0, fmt.Errorf("gated call: %w", err)
		}
		// Both calldatas are a selector and the same word: any difference is the
		// selectors' zero bytes, counted here so CalldataGas stays exact.
		cd := calldataGas(gated(result).Data) - calldataGas(cons.SubmitResultUngatedTx(result).Data)
		return gt - u, cd, nil
	}
	al := types.AccessList{{Address: reg.Address(), StorageKeys: []common.Hash{}}}
	d, cd, err := pair(al, cons.SubmitResultTx)
	if err != nil {
		return warm, cold, pinned, err
	}
	warm = Figure{Name: opIsTrusted, Gas: d, CalldataGas: cd, NonCalldata: d - cd}
	if d, cd, err = pair(nil, cons.SubmitResultTx); err != nil {
		return warm, cold, pinned, err
	}
	cold = Figure{Name: opIsTrustedColdCall, Gas: d, CalldataGas: cd, NonCalldata: d - cd}
	if d, cd, err = pair(al, cons.SubmitPinnedResultTx); err != nil {
		return warm, cold, pinned, err
	}
	pinned = Figure{Name: opIsTrustedFor, Gas: d, CalldataGas: cd, NonCalldata: d - cd}
	return warm, cold, pinned, nil
}

// batch registers 50 machines, gives each a first verdict in one batch, then
// measures a batch re-attesting all 50 (the steady state of continuous
// attestation); the figure is that transaction's gas / 50.
func (s *session) batch(reg *chain.Registry, policy common.Hash, oracles []*ecdsa.PrivateKey) (Figure, error) {
	ids := make([]common.Hash, batchSize)
	keys := make([]common.Address, batchSize)
	for i := range ids {
		salt := common.BigToHash(big.NewInt(int64(1000 + i)))
		if _, err := s.send(reg, s.owner, reg.RegisterMachineTx(salt, verdict.TEESEVSNP, ""), nil); err != nil {
			return Figure{}, fmt.Errorf("register batch machine %d: %w", i, err)
		}
		ids[i] = chain.MachineID(s.owner.From(), salt)
		// Keys as a TEE would derive them: twenty random-looking bytes, so the
		// calldata pays for them as it would in production.
		keys[i] = common.BytesToAddress(crypto.Keccak256([]byte(fmt.Sprintf("teeoracle gas-report tee key %d", i)))[12:])
		if _, err := s.send(reg, s.owner, reg.AuthorizeKeyTx(ids[i], keys[i]), nil); err != nil {
			return Figure{}, fmt.Errorf("authorize batch key %d: %w", i, err)
		}
	}
	var after uint64
	var total txGas
	for round := range 2 {
		svs := make([]chain.SignedVerdict, batchSize)
		for i := range ids {
			v, err := s.verdict(reg, ids[i], keys[i], policy, after)
			if err != nil {
				return Figure{}, err
			}
			if svs[i], err = sign(reg, v, oracles); err != nil {
				return Figure{}, err
			}
		}
		after = svs[0].Verdict.IssuedAt
		c, err := reg.SubmitVerdictsTx(svs)
		if err != nil {
			return Figure{}, err
		}
		if c.GasLimit, err = s.nodeLimit(c, len(svs)); err != nil {
			return Figure{}, err
		}
		g, err := s.send(reg, s.owner, c, nil)
		if err != nil {
			return Figure{}, fmt.Errorf("batch round %d: %w", round, err)
		}
		total = g
	}
	return Figure{Name: opBatch50PerVerdict, Gas: total.gas / batchSize, CalldataGas: total.calldata / batchSize,
		NonCalldata: total.gas - total.calldata}, nil
}

// submitBatch submits vs by submitBatch under one signature set of keys over
// their batch digest.
func (s *session) submitBatch(reg *chain.Registry, vs []*verdict.Verdict, keys []*ecdsa.PrivateKey) (txGas, error) {
	d, err := reg.HashBatch(s.ctx, vs)
	if err != nil {
		return txGas{}, err
	}
	var sigs [][]byte
	for _, k := range keys {
		sig, err := verdict.Sign(d, k)
		if err != nil {
			return txGas{}, err
		}
		sigs = append(sigs, sig)
	}
	c, err := reg.SubmitBatchTx(vs, sigs)
	if err != nil {
		return txGas{}, err
	}
	if c.GasLimit, err = s.nodeLimit(c, len(vs)); err != nil {
		return txGas{}, err
	}
	return s.send(reg, s.owner, c, nil)
}

// nodeLimit is the gas limit the node gives a batch of n verdicts, submitBatch or
// submitVerdicts (oracle/service/batch.go withSkipAllowance): the registry tries an
// entry's binding path only with its entry reserve left, so the limit carries the
// reserve above the estimate (gas not used is not paid, and the figures are gas
// used); a plain estimate may settle on a limit at which the last bindings are
// skipped.
func (s *session) nodeLimit(c chain.TxCandidate, n int) (uint64, error) {
	msg := ethereum.CallMsg{From: s.owner.From(), To: c.To, Data: c.Data}
	est, err := s.c.client.EstimateGas(s.ctx, msg)
	if err != nil {
		return 0, err
	}
	if rc, ok := s.c.client.(interface{ Client() *rpc.Client }); ok {
		if _, used, vmErr, err := gethclient.New(rc.Client()).CreateAccessList(s.ctx, msg); err == nil && vmErr == "" {
			est = max(est, used)
		}
	}
	return min(est+est/4+uint64(n)*5_000+chain.EntryGasReserve, max(est, 1<<24)), nil
}

// fleetImage is the workload id of the shared-image batch: every machine runs it.
var fleetImage = crypto.Keccak256Hash([]byte("teeoracle gas-report fleet image"))

// signedBatch registers 100 machines (salts from saltBase), binds each with a first
// submitBatch, then measures a submitBatch re-attesting all 100 under one signature
// set of keys; the figure is that transaction's gas / 100. With sharedImage every
// machine runs fleetImage (one interned workload pair for the whole batch), else
// each its own workload id.
func (s *session) signedBatch(reg *chain.Registry, policy common.Hash, keys []*ecdsa.PrivateKey, saltBase int64, sharedImage bool) (Figure, error) {
	name := opBatch100OwnImages
	if sharedImage {
		name = opBatch100SharedImage
	}
	ids := make([]common.Hash, bigBatchSize)
	teeKeys := make([]common.Address, bigBatchSize)
	for i := range ids {
		salt := common.BigToHash(big.NewInt(saltBase + int64(i)))
		if _, err := s.send(reg, s.owner, reg.RegisterMachineTx(salt, verdict.TEESEVSNP, ""), nil); err != nil {
			return Figure{}, fmt.Errorf("register batch machine %d: %w", i, err)
		}
		ids[i] = chain.MachineID(s.owner.From(), salt)
		teeKeys[i] = common.BytesToAddress(crypto.Keccak256([]byte(fmt.Sprintf("teeoracle gas-report batch key %d", saltBase+int64(i))))[12:])
		if _, err := s.send(reg, s.owner, reg.AuthorizeKeyTx(ids[i], teeKeys[i]), nil); err != nil {
			return Figure{}, fmt.Errorf("authorize batch key %d: %w", i, err)
		}
	}
	var after uint64
	var total txGas
	for round := range 2 {
		vs := make([]*verdict.Verdict, bigBatchSize)
		for i := range ids {
			v, err := s.verdict(reg, ids[i], teeKeys[i], policy, after)
			if err != nil {
				return Figure{}, err
			}
			if sharedImage {
				v.WorkloadID = fleetImage
			}
			vs[i] = &v
		}
		after = vs[0].IssuedAt
		g, err := s.submitBatch(reg, vs, keys)
		if err != nil {
			return Figure{}, fmt.Errorf("signed batch round %d: %w", round, err)
		}
		total = g
	}
	return Figure{Name: name, Gas: total.gas / bigBatchSize, CalldataGas: total.calldata / bigBatchSize,
		NonCalldata: total.gas - total.calldata}, nil
}
