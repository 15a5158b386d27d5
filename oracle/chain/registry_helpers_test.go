package chain_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// regEnv is a registry deployed on the simulated chain, with an owner, a provider
// and oracle keys, every sender mining its own block.
type regEnv struct {
	t        *testing.T
	sim      *simulated.Backend
	client   simulated.Client
	reg      *chain.Registry
	owner    *chain.DirectSender
	provider *chain.DirectSender
	oracles  []*ecdsa.PrivateKey // sorted by address ascending
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sender returns a DirectSender for dev key i that mines a block after each send.
func sender(t *testing.T, sim *simulated.Backend, i int) *chain.DirectSender {
	t.Helper()
	key, _ := testchain.DevKey(i)
	opts := bind.NewKeyedTransactor(key, big.NewInt(1337))
	s, err := chain.NewDirectSender(sim.Client(), opts, func() { sim.Commit() })
	if err != nil {
		t.Fatal(err)
	}
	s.PollInterval = 5 * time.Millisecond
	return s
}

// oracleKeys returns n deterministic oracle keys sorted by address.
func oracleKeys(t testing.TB, n int) []*ecdsa.PrivateKey {
	t.Helper()
	var keys []*ecdsa.PrivateKey
	for i := range n {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte{'o', 'r', 'a', 'c', 'l', 'e', byte(i)}))
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b *ecdsa.PrivateKey) int {
		x, y := crypto.PubkeyToAddress(a.PublicKey), crypto.PubkeyToAddress(b.PublicKey)
		return bytes.Compare(x[:], y[:])
	})
	return keys
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// newRegEnv makes n oracle keys and deploys a registry owned by dev key 0 with the
// first deployed of them as oracles and quorum m.
func newRegEnv(t *testing.T, n, deployed int, m uint8) *regEnv {
	t.Helper()
	sim := testchain.NewSimulated(t)
	e := &regEnv{t: t, sim: sim, client: sim.Client(), owner: sender(t, sim, 0), provider: sender(t, sim, 1), oracles: oracleKeys(t, n)}
	var addrs []common.Address
	for _, k := range e.oracles[:deployed] {
		addrs = append(addrs, addrOf(k))
	}
	reg, _, err := chain.DeployRegistry(ctxT(t), e.client, e.owner, e.owner.From(), addrs, m, 256)
	if err != nil {
		t.Fatal(err)
	}
	e.reg = reg
	return e
}

// head returns the latest block's number, hash and time.
func (e *regEnv) head() (uint64, common.Hash, uint64) {
	e.t.Helper()
	h, err := e.client.HeaderByNumber(ctxT(e.t), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Number.Uint64(), h.Hash(), h.Time
}

// mustSend sends c and fails the test on any error.
func (e *regEnv) mustSend(s chain.Sender, c chain.TxCandidate) {
	e.t.Helper()
	if _, err := e.reg.Transact(ctxT(e.t), s, c); err != nil {
		e.t.Fatal(err)
	}
}

// trustedVerdict returns a trusted verdict for machine and key anchored at the
// latest block's parent, issued at the latest block's time, valid for validity
// seconds. The anchor is the parent because nodes estimate gas (and answer
// eth_call) in the context of the latest block itself, where an anchor at that
// block is not yet in the past.
func (e *regEnv) trustedVerdict(machine common.Hash, key common.Address, policy common.Hash, validity uint64) verdict.Verdict {
	_, _, now := e.head()
	h, err := e.client.HeaderByNumber(ctxT(e.t), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	parent, err := e.client.HeaderByHash(ctxT(e.t), h.ParentHash)
	if err != nil {
		e.t.Fatal(err)
	}
	num, hash := parent.Number.Uint64(), parent.Hash()
	rd := verdict.ReportData(e.reg.ChainID(), e.reg.Address(), machine, key, num, hash)
	return verdict.Verdict{
		MachineID: machine, TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TEEKey: key,
		WorkloadID: crypto.Keccak256Hash([]byte("workload")), TCBStatus: 1, TCB: 0x0b00000000001587,
		PolicyHash: policy,
		// No evidence in these tests: the evidence hash commits to the report data
		// the guest would have carried, so each verdict is distinct.
		EvidenceHash:      crypto.Keccak256Hash(rd[:]),
		AnchorBlockNumber: num, AnchorBlockHash: hash,
		IssuedAt: now, ExpiresAt: now + validity,
	}
}

// sign returns the signatures of the given oracle keys over v, in the order given.
func (e *regEnv) sign(v *verdict.Verdict, keys ...*ecdsa.PrivateKey) [][]byte {
	e.t.Helper()
	var out [][]byte
	for _, k := range keys {
		s, err := verdict.SignVerdict(v, e.reg.Domain(), k)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
