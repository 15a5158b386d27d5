package devnet

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// fleetChunk is how many set-up transactions AddFleet has in flight at once.
const fleetChunk = 1000

// AddFleet makes n simulated SEV-SNP machines (confidential VMs) on `chips` simulated
// chips (hosts; each chip's VCEK certificate costs an RSA signature, so a fleet
// shares a few), registers every machine from the provider's account and
// authorises its TEE key. Unlike AddMachine it does not wait for each transaction:
// it sends them in order of nonce, up to fleetChunk at a time, and waits for the
// last of each chunk. It returns the machines added (also appended to d.Machines)
// and the set-up transactions' gas.
func (d *Devnet) AddFleet(ctx context.Context, n, chips int, prefix string) ([]*Machine, uint64, error) {
	if n <= 0 || chips <= 0 {
		return nil, 0, fmt.Errorf("devnet: fleet of %d machines on %d chips", n, chips)
	}
	// Every machine runs the devnet workload, launched with HOST_DATA = its digest
	// (as addHardware makes them).
	w := DevnetWorkload()
	dg := w.Digest()
	sources := make([]fleetChip, min(n, chips))
	for i := range sources {
		chip, err := d.SNP.NewChip(fakehw.SNPChipOptions{ChipID: byte(i), HostData: dg[:]})
		if err != nil {
			return nil, 0, err
		}
		id, err := verdict.WorkloadIDV2SNP(chip.Measurement(), dg)
		if err != nil {
			return nil, 0, err
		}
		sources[i] = fleetChip{source: agent.WorkloadSource{Inner: agent.SNPQuoteSource{QP: chip.QuoteProvider()}, Workload: w},
			workload: id}
	}
	provider := crypto.PubkeyToAddress(d.Provider.PublicKey)
	ms := make([]*Machine, n)
	txs := make([]chain.TxCandidate, 0, 2*n)
	for i := range ms {
		name := fmt.Sprintf("%s-%d", prefix, i+1)
		m := &Machine{Name: name, TEE: evidence.TEESEVSNP, Salt: crypto.Keccak256Hash([]byte("teeoracle devnet machine " + name)),
			KeyFile: filepath.Join(d.dataDir, "machines", name, "tee-key"), Source: sources[i%len(sources)].source,
			WorkloadID: sources[i%len(sources)].workload}
		m.ID = chain.MachineID(provider, m.Salt)
		key, _, err := agent.LoadOrCreateKey(m.KeyFile)
		if err != nil {
			return nil, 0, err
		}
		txs = append(txs, d.Registry.RegisterMachineTx(m.Salt, uint8(evidence.TEESEVSNP), "devnet://"+name),
			d.Registry.AuthorizeKeyTx(m.ID, crypto.PubkeyToAddress(key.PublicKey)))
		ms[i] = m
	}
	gas, err := d.sendAll(ctx, d.Provider, txs)
	if err != nil {
		return nil, gas, err
	}
	d.Machines = append(d.Machines, ms...)
	return ms, gas, nil
}

type fleetChip struct {
	source   agent.EvidenceSource
	workload common.Hash
}

// sendAll sends txs from key in order, without waiting for each, and returns the
// gas they used. The first transaction of each kind (by selector) is sent alone and
// its gas estimated after its predecessors are mined; the others reuse the
// estimate with a margin.
func (d *Devnet) sendAll(ctx context.Context, key *ecdsa.PrivateKey, txs []chain.TxCandidate) (uint64, error) {
	cl := d.Chain.Client
	from := crypto.PubkeyToAddress(key.PublicKey)
	signer := types.LatestSignerForChainID(new(big.Int).SetUint64(d.Chain.ChainID))
	nonce, err := cl.PendingNonceAt(ctx, from)
	if err != nil {
		return 0, err
	}
	limits := map[string]uint64{}
	var gas uint64
	var pending []common.Hash
	flush := func() error {
		used, err := d.waitAll(ctx, pending)
		gas += used
		pending = pending[:0]
		return err
	}
	for _, c := range txs {
		sel := string(c.Data[:4])
		if _, ok := limits[sel]; !ok {
			if err := flush(); err != nil {
				return gas, err
			}
			est, err := cl.EstimateGas(ctx, ethereum.CallMsg{From: from, To: c.To, Data: c.Data})
			if err != nil {
				return gas, fmt.Errorf("devnet fleet: estimate gas: %w", err)
			}
			limits[sel] = est * 13 / 10
		}
		h, err := d.sendRaw(ctx, key, signer, nonce, c, limits[sel])
		if err != nil {
			return gas, err
		}
		nonce++
		pending = append(pending, h)
		if len(pending) >= fleetChunk {
			if err := flush(); err != nil {
				return gas, err
			}
		}
	}
	return gas, flush()
}

func (d *Devnet) sendRaw(ctx context.Context, key *ecdsa.PrivateKey, signer types.Signer, nonce uint64, c chain.TxCandidate, limit uint64) (common.Hash, error) {
	head, err := d.Chain.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		return common.Hash{}, err
	}
	tip := big.NewInt(1e9)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(3)), tip)
	tx, err := types.SignNewTx(key, signer, &types.DynamicFeeTx{ChainID: new(big.Int).SetUint64(d.Chain.ChainID), Nonce: nonce,
		GasTipCap: tip, GasFeeCap: feeCap, Gas: limit, To: c.To, Data: c.Data})
	if err != nil {
		return common.Hash{}, err
	}
	if err := d.Chain.Client.SendTransaction(ctx, tx); err != nil {
		return common.Hash{}, fmt.Errorf("devnet fleet: send nonce %d: %w", nonce, err)
	}
	return tx.Hash(), nil
}

// waitAll waits for every transaction in hs (mining on the simulated chain), fails
// on a revert, and returns their gas.
func (d *Devnet) waitAll(ctx context.Context, hs []common.Hash) (uint64, error) {
	if len(hs) == 0 {
		return 0, nil
	}
	mine := d.Chain.Mine()
	var gas uint64
	for _, h := range hs {
		for {
			r, err := d.Chain.Client.TransactionReceipt(ctx, h)
			if err == nil {
				if r.Status != types.ReceiptStatusSuccessful {
					return gas, fmt.Errorf("devnet fleet: transaction %s reverted", h)
				}
				gas += r.GasUsed
				break
			}
			if mine != nil {
				mine()
			}
			select {
			case <-ctx.Done():
				return gas, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return gas, nil
}

// FleetRound is the outcome of one machine's attestation in AttestFleet.
type FleetRound struct {
	Machine *Machine
	Round   *agent.Round
	Err     error
}

// AttestFleet runs one attestation round for every machine in ms, at most
// `parallel` agents at a time (each agent polls its submission every poll), and
// returns the outcomes in the order of ms.
//
// The agents share one HTTP client that keeps a connection per running agent
// open: with a client each, which keeps two, most polls opened a new connection
// to the node.
func (d *Devnet) AttestFleet(ctx context.Context, ms []*Machine, parallel int, poll time.Duration) ([]FleetRound, error) {
	out := make([]FleetRound, len(ms))
	sem := make(chan struct{}, max(1, parallel))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(1, parallel)
	client := &http.Client{Timeout: 30 * time.Second, Transport: tr}
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	for i, m := range ms {
		cfg, err := d.AgentConfig(m)
		if err != nil {
			return nil, err
		}
		if cfg.Oracle, err = agent.NewHTTPOracle(d.APIURL(), client); err != nil {
			return nil, err
		}
		cfg.PollInterval = poll
		a, err := agent.New(cfg)
		if err != nil {
			return nil, err
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r, err := a.AttestUntilDone(ctx)
			out[i] = FleetRound{Machine: m, Round: r, Err: err}
		}()
	}
	wg.Wait()
	return out, nil
}
