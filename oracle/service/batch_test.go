package service_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// packedVerdictSize is the size of one verdict in submitBatch's packed calldata:
// its 14 fields in EIP-712 order, each in its type's width (docs/gas.md).
const packedVerdictSize = 223

// landedBatch is a submitBatch transaction as mined: the machines of its verdicts
// in calldata order, and the signers its one signature set recovers to over the
// batch digest of those verdicts.
type landedBatch struct {
	tx       common.Hash
	gas      uint64
	machines []common.Hash
	signers  []common.Address
}

// batchesLanding returns the submitBatch transactions that recorded a verdict for
// any of machines, read from the registry's VerdictRecorded logs and decoded from
// the transactions' calldata, independently of the node's own code.
func batchesLanding(t *testing.T, e *chainEnv, nodes []*node, machines ...common.Hash) []landedBatch {
	t.Helper()
	topic := crypto.Keccak256Hash([]byte("VerdictRecorded(bytes32,bytes32)"))
	var ids []common.Hash
	ids = append(ids, machines...)
	logs, err := e.client.FilterLogs(ctxT(t), ethereum.FilterQuery{Addresses: []common.Address{e.registry},
		Topics: [][]common.Hash{{topic}, ids}})
	if err != nil {
		t.Fatal(err)
	}
	var out []landedBatch
	seen := map[common.Hash]bool{}
	for _, l := range logs {
		if seen[l.TxHash] {
			continue
		}
		seen[l.TxHash] = true
		out = append(out, decodeBatchTx(t, e, nodes, l.TxHash))
	}
	return out
}

func decodeBatchTx(t *testing.T, e *chainEnv, nodes []*node, h common.Hash) landedBatch {
	t.Helper()
	tx, _, err := e.client.TransactionByHash(ctxT(t), h)
	if err != nil {
		t.Fatal(err)
	}
	data := tx.Data()
	if sel := crypto.Keccak256([]byte("submitBatch(bytes,bytes)"))[:4]; len(data) < 4 || !bytes.Equal(data[:4], sel) {
		t.Fatalf("tx %s does not call submitBatch(bytes,bytes): selector %x", h, data[:min(4, len(data))])
	}
	bt, _ := abi.NewType("bytes", "", nil)
	args, err := abi.Arguments{{Type: bt}, {Type: bt}}.Unpack(data[4:])
	if err != nil {
		t.Fatalf("tx %s: %v", h, err)
	}
	packed, sigs := args[0].([]byte), args[1].([]byte)
	if len(packed)%packedVerdictSize != 0 || len(sigs)%verdict.SignatureSize != 0 {
		t.Fatalf("tx %s: %d bytes of verdicts, %d of signatures", h, len(packed), len(sigs))
	}
	// The verdicts are the nodes' own (by machine and the order in calldata).
	var vs []*verdict.Verdict
	b := landedBatch{tx: h}
	rcpt, err := e.client.TransactionReceipt(ctxT(t), h)
	if err != nil {
		t.Fatal(err)
	}
	b.gas = rcpt.GasUsed
	for off := 0; off < len(packed); off += packedVerdictSize {
		id := common.BytesToHash(packed[off : off+32])
		b.machines = append(b.machines, id)
		vs = append(vs, storedVerdictOf(t, nodes, id, common.BytesToHash(packed[off+127:off+159])))
	}
	digest := verdict.BatchDigest(verdict.Domain{ChainID: e.chainID, Registry: e.registry}, vs)
	for off := 0; off < len(sigs); off += verdict.SignatureSize {
		a, err := verdict.Recover(digest, sigs[off:off+verdict.SignatureSize])
		if err != nil {
			t.Fatalf("tx %s signature %d: %v", h, off/verdict.SignatureSize, err)
		}
		b.signers = append(b.signers, a)
	}
	return b
}

// storedVerdictOf returns the verdict some node holds for machine id and evidence.
func storedVerdictOf(t *testing.T, nodes []*node, id, evidence common.Hash) *verdict.Verdict {
	t.Helper()
	for _, n := range nodes {
		hs, err := n.store.MachineVerdicts(id)
		if err != nil {
			continue
		}
		for _, h := range hs {
			v, _ := verdictOf(t, n, h)
			if v.EvidenceHash == evidence {
				return v
			}
		}
	}
	t.Fatalf("no node holds a verdict for machine %s and evidence %s", id, evidence)
	return nil
}

// TestE2EBatchOneSignatureSet: a 2-of-3 quorum publishes verdicts in one
// transaction carrying one signature set over the batch digest. A peer that no
// longer holds a verdict it once signed refuses to co-sign it: the batch goes out
// without that verdict, which lands later with another peer's co-signature. A
// verdict whose co-signer is down goes out with its own signatures.
func TestE2EBatchOneSignatureSet(t *testing.T) {
	t.Parallel()
	type oracle struct {
		key  *ecdsa.PrivateKey
		addr common.Address
	}
	var os []oracle
	for _, i := range []int{3, 4, 5} {
		k, a := testchain.DevKey(i)
		os = append(os, oracle{k, a})
	}
	// L relays at once: it is the lowest-addressed signer of every quorum.
	slices.SortFunc(os, func(a, b oracle) int { return bytes.Compare(a.addr[:], b.addr[:]) })
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{os[0].addr, os[1].addr, os[2].addr}, 2, 64)
	good := measurement(0x11)
	pol := testPolicy(t, "batch", 600, good)
	e.registerPolicy(t, pol)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	var machines []common.Hash
	var agents []*agent
	for i := range 5 {
		machines = append(machines, e.registerMachine(t, provider, byte(i+1), verdict.TEESEVSNP))
		agents = append(agents, e.newAgent(t, snp, machines[i]))
	}
	addrs, peersOf := meshOf(t, 3)
	dirL := t.TempDir()
	optsL := nodeOpts{key: os[0].key, policy: pol, snp: snp, listen: addrs[0], peers: peersOf(0), noForward: true, dir: dirL}
	L := startNode(t, e, optsL)
	B := startNode(t, e, nodeOpts{key: os[1].key, policy: pol, snp: snp, listen: addrs[1], peers: peersOf(1), noForward: true})
	C := startNode(t, e, nodeOpts{key: os[2].key, policy: pol, snp: snp, listen: addrs[2], peers: peersOf(2), noForward: true})

	// Every machine's evidence reaches L, which signs it and waits for a second
	// signature.
	bundles := make([][]byte, 4)
	anchors := make([]uint64, 4)
	idsL := make([]string, 4)
	hashes := make([]common.Hash, 4)
	for i, ag := range agents[:4] {
		ch := ag.challenge(t, L)
		bundles[i], anchors[i] = ag.evidenceFor(t, ch, good, nil), ch.AnchorBlockNumber
		code, res := ag.submit(t, L, anchors[i], bundles[i])
		if code != 202 {
			t.Fatalf("submit to L: HTTP %d %s", code, res.Error)
		}
		idsL[i] = res.ID
		hashes[i] = *waitState(t, L, res.ID, 20*time.Second, "signed").VerdictHash
	}
	// L stops; B signs the first three. L's database is then restored from a copy in
	// which B's signature over the fourth verdict is present, as if B had signed it
	// and since lost it: B will not co-sign a batch holding it.
	stopNode(t, L)
	for i := range 3 {
		code, res := agents[i].submit(t, B, anchors[i], bundles[i])
		if code != 202 {
			t.Fatalf("submit to B: HTTP %d %s", code, res.Error)
		}
		waitState(t, B, res.ID, 20*time.Second, "signed")
	}
	forged, err := verdict.Sign(hashes[3], os[1].key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dirL, "node.db"), service.StoreOptions(slog.Default()))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutSignature(hashes[3], os[1].addr, forged); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// Restarted, L holds a quorum of per-verdict signatures for all four at once.
	L = startNode(t, e, optsL)
	nodes := []*node{L, B, C}
	for i := range 3 {
		waitState(t, L, idsL[i], 60*time.Second, "confirmed")
	}
	landed := batchesLanding(t, e, nodes, machines[:3]...)
	if len(landed) != 1 {
		t.Fatalf("the first three verdicts landed in %d transactions, want one batch", len(landed))
	}
	first := landed[0]
	if len(first.machines) != 3 || slices.Contains(first.machines, machines[3]) {
		t.Fatalf("batch %s carries machines %v, want the first three without the one B lacks", first.tx, first.machines)
	}
	if !slices.Equal(first.signers, []common.Address{os[0].addr, os[1].addr}) {
		t.Fatalf("batch %s signed by %v, want one set: L and B ascending", first.tx, first.signers)
	}
	t.Logf("2-of-3 batch of %d verdicts, one signature set: %d gas (%d per verdict)", len(first.machines), first.gas,
		first.gas/uint64(len(first.machines)))
	// The next publisher pass counts the verdict B lacks without B's signature.
	var q *api.QuorumStatus
	if !eventually(10*time.Second, 100*time.Millisecond, func() bool {
		q = waitState(t, L, idsL[3], time.Second, "signed").Quorum
		return q != nil && q.Signatures == 1
	}) {
		t.Fatalf("verdict B lacks: quorum %+v, want B no longer counted (1 of 2)", q)
	}
	// C signs the fourth verdict: it lands in a batch co-signed by L and C.
	code, res := agents[3].submit(t, C, anchors[3], bundles[3])
	if code != 202 {
		t.Fatalf("submit to C: HTTP %d %s", code, res.Error)
	}
	waitState(t, L, idsL[3], 60*time.Second, "confirmed")
	landed = batchesLanding(t, e, nodes, machines[3])
	if len(landed) != 1 || !slices.Equal(landed[0].machines, machines[3:4]) ||
		!slices.Equal(landed[0].signers, []common.Address{os[0].addr, os[2].addr}) {
		t.Fatalf("fourth verdict landed as %+v, want one batch of it signed by L and C", landed)
	}
	// B goes down after signing a fifth verdict (its signature reaches L's store as
	// from an earlier pass), and C never saw it: no two oracles can co-sign a batch
	// with it. Once its quorum is RelayDelay old it goes out with its own signatures.
	stopNode(t, B)
	ch := agents[4].challenge(t, L)
	code, res = agents[4].submit(t, L, ch.AnchorBlockNumber, agents[4].evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit to L: HTTP %d %s", code, res.Error)
	}
	h5 := *waitState(t, L, res.ID, 20*time.Second, "signed").VerdictHash
	sigB, err := verdict.Sign(h5, os[1].key)
	if err != nil {
		t.Fatal(err)
	}
	if err := L.store.PutSignature(h5, os[1].addr, sigB); err != nil {
		t.Fatal(err)
	}
	waitState(t, L, res.ID, 60*time.Second, "confirmed")
	if landed := batchesLanding(t, e, nodes, machines[4]); len(landed) != 0 {
		t.Fatalf("verdict no two oracles could co-sign landed in a batch: %+v", landed)
	}
	for i, m := range machines {
		if !e.isTrusted(t, m) {
			t.Errorf("machine %d not trusted", i)
		}
	}
}

// stopNode stops a node and closes its store, so that it can be restarted on them.
func stopNode(t *testing.T, n *node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.svc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := n.store.Close(); err != nil {
		t.Fatal(err)
	}
}
