package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/ethclient/gethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// maxBatch is the most verdicts one batch carries: the configured bound, and never
// more than a peer co-signs at once.
func (s *Service) maxBatch() int { return min(s.cfg.BatchMax, api.MaxBatchVerdicts) }

// publishBatches sends ready, the verdicts whose quorum of per-verdict signatures
// is complete, in submitBatch transactions with one signature set each. A batch's
// M signers are this node and the peers that signed the most of the verdicts; the
// batch is the verdicts they all signed. Each peer co-signs the batch's digest;
// verdicts a peer says it lacks are left out (and that peer is no longer counted
// for them), and a peer that cannot co-sign is passed over for the rest of the
// pass, so the batch is re-formed without it. Verdicts no M oracles can co-sign
// wait for the next pass, and once their quorum is RelayDelay old go out with their
// own signatures (publishUncosigned). A verdict a mined batch deferred for want of
// gas leads its next batch, and one a reverted batch of several carried goes alone
// (nextBatch); the others keep their order.
func (s *Service) publishBatches(ctx context.Context, ready []*candidate, threshold int) {
	excluded := map[common.Address]bool{}
	for len(ready) > 0 && ctx.Err() == nil {
		// A peer may have claimed verdicts of ready since the pass began (it asked
		// this node to co-sign its batch of them while this node sent another).
		if ready = s.unclaimed(ready); len(ready) == 0 {
			return
		}
		// The group is every verdict the chosen signers hold; the batch is cut from it
		// after the verdicts to be sent alone or to lead a batch of their own are set
		// aside, so that they do not shorten it.
		signers, group, _ := pickGroup(s.deferredLead(ready), threshold, s.oracle, excluded, len(ready))
		if len(group) == 0 {
			s.publishUncosigned(ctx, ready, excluded)
			return
		}
		group, _ = s.nextBatch(group, s.maxBatch())
		rest := filterCands(ready, func(c *candidate) bool { return !slices.Contains(group, c) })
		s.learnPeers(ctx, signers, group)
		batch, failed := s.cosign(ctx, signers, group)
		if failed != (common.Address{}) {
			excluded[failed] = true
			continue
		}
		ready = rest
		if batch == nil {
			continue
		}
		s.announceClaim(ctx, signers, batch.cands)
		s.send(ctx, batch.cands, func() (chain.TxCandidate, error) {
			vs := make([]*verdict.Verdict, len(batch.cands))
			for i, c := range batch.cands {
				vs[i] = c.v
			}
			cand, err := s.reg.SubmitBatchTx(vs, verdict.Sigs(batch.sigs))
			if err != nil {
				return cand, err
			}
			return s.withSkipAllowance(ctx, cand, len(vs))
		})
	}
}

// publishUncosigned sends, in submitVerdicts transactions carrying each verdict's
// own quorum signatures, the verdicts of stuck no M oracles could co-sign in a batch
// (a co-signer is down, or runs a node without batch co-signing) whose quorum has
// been complete for RelayDelay; the others wait for the next pass. It costs more gas
// than a batch, and keeps the verdicts moving. As in submitBatch, the registry tries
// an entry that binds a key or interns a workload pair only with its entry reserve
// left, which the limit carries (withSkipAllowance); should such a transaction still
// run out of gas, the verdicts of one that reverted are sent alone afterwards
// (handedBack, nextBatch).
func (s *Service) publishUncosigned(ctx context.Context, stuck []*candidate, passedOver map[common.Address]bool) {
	now := s.cfg.Now()
	due := filterCands(stuck, func(c *candidate) bool {
		q := s.quorumOf(c.hash)
		s.qmu.Lock()
		defer s.qmu.Unlock()
		return !q.quorumAt.IsZero() && now.Sub(q.quorumAt) >= s.cfg.RelayDelay
	})
	if len(due) == 0 {
		s.log.Debug("no quorum of oracles can co-sign a batch now; verdicts wait", "verdicts", len(stuck))
		return
	}
	var over []common.Address
	for a := range passedOver {
		over = append(over, a)
	}
	s.log.Warn("no quorum of oracles could co-sign a batch within the relay delay; verdicts go out with their own signatures",
		"verdicts", len(due), "waiting", len(stuck)-len(due), "not_cosigning", over)
	due = s.deferredLead(due)
	for len(due) > 0 && ctx.Err() == nil {
		var batch []*candidate
		batch, due = s.nextBatch(due, s.cfg.BatchMax)
		s.send(ctx, batch, func() (chain.TxCandidate, error) {
			vs := make([]*verdict.Verdict, len(batch))
			sigs := make([][][]byte, len(batch))
			for i, c := range batch {
				vs[i], sigs[i] = c.v, verdict.Sigs(c.sigs)
			}
			cand, err := s.reg.SubmitVerdictsTx(vs, sigs)
			if err != nil {
				return cand, err
			}
			return s.withSkipAllowance(ctx, cand, len(vs))
		})
	}
}

// skipAllowance is the gas a batch's limit allows per verdict above its estimate.
// The estimate is made as the entries would apply now; one that a race makes the
// registry skip when mined (another relayer landed it first, its machine was
// deregistered) costs a little more than a lean apply, since its VerdictSkipped
// event carries the encoded reason: a batch of two measured 61,039 gas applied
// and 61,695 skipped (TestE2EStrangerCannotMoveAnotherProvidersTrust). Gas not
// used is not paid.
const skipAllowance = 5_000

// entryGasReserve is the registry's ENTRY_GAS_RESERVE (contracts/TeeRegistry.sol):
// the gas a batch entry's general path (a key binding, a new workload) must find
// left, beyond 11,000 for each entry after it, or the registry skips the entry
// (InsufficientGasForEntry) rather than run out of gas. A batch's limit adds it
// once: entries the estimate ran on that path are then never skipped, and one that
// a change after the estimate sends down it (its provider revoked and
// re-authorised its key) runs on the reserve, or is skipped and published again,
// while the other entries apply. Gas not used is not paid.
const entryGasReserve = chain.EntryGasReserve

// maxTxGas is the most gas a transaction may carry since Osaka (EIP-7825); a
// batch's limit stays within it unless its estimate alone exceeds it (an older
// chain).
const maxTxGas = 1 << 24

// withSkipAllowance sets cand's gas limit to the gas it needs plus skipAllowance
// per verdict and entryGasReserve, so that a batch whose entries are all skipped,
// or one of whose entries turned costlier since, still runs to its end. Since the
// registry skips an entry rather than run out of gas, a transaction that would
// skip some succeeds: an estimate that searches down from a run with ample gas for
// the least gas that succeeds (anvil's, reth's) may settle on a limit at which the
// batch's bindings are skipped, and geth's on one that counts the refunds of the
// slots a binding or rotation clears as gas available. So the gas it needs is the
// larger of the estimate and the gas of one run with ample gas
// (eth_createAccessList, when the endpoint answers it), and a quarter more, the
// most refunds can return (EIP-3529: a fifth of the gas used).
func (s *Service) withSkipAllowance(ctx context.Context, cand chain.TxCandidate, n int) (chain.TxCandidate, error) {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	msg := ethereum.CallMsg{From: s.cfg.TxFrom, To: cand.To, Data: cand.Data}
	gas, err := s.rpc.EstimateGas(cctx, msg)
	if err != nil {
		return chain.TxCandidate{}, fmt.Errorf("estimate the batch's gas: %w", err)
	}
	if used, ok := s.ampleGasRun(cctx, msg); ok && used > gas {
		gas = used
	}
	cand.GasLimit = min(gas+gas/4+uint64(n)*skipAllowance+entryGasReserve, max(gas, maxTxGas))
	return cand, nil
}

// ampleGasRun returns the gas msg uses when run with ample gas (the endpoint's
// cap), as eth_createAccessList reports it, when the endpoint is one whose raw
// RPC client the node can reach and the run succeeds.
func (s *Service) ampleGasRun(ctx context.Context, msg ethereum.CallMsg) (uint64, bool) {
	c, ok := s.rpc.(interface{ Client() *rpc.Client })
	if !ok {
		return 0, false
	}
	_, used, vmErr, err := gethclient.New(c.Client()).CreateAccessList(ctx, msg)
	if err != nil || vmErr != "" {
		s.log.Debug("the batch's gas with ample gas could not be read; its estimate stands", "err", err, "vm_err", vmErr)
		return 0, false
	}
	return used, true
}

// signedBatch is a batch with its one quorum signature set, by signer ascending.
type signedBatch struct {
	cands []*candidate
	sigs  []verdict.Signature
}

// pickGroup chooses the next batch of ready: m signers (this node first when it
// signed any of them, then greedily the signer that signed the most of the verdicts
// all chosen signers signed, the lowest address on a tie), and up to max of the
// verdicts every chosen signer signed. rest is ready without the group, in order.
// The group is empty when no m signers outside excluded signed a common verdict.
func pickGroup(ready []*candidate, m int, self common.Address, excluded map[common.Address]bool, max int) (signers []common.Address, group, rest []*candidate) {
	pool := ready
	if !excluded[self] && slices.ContainsFunc(ready, func(c *candidate) bool { return c.signedBy(self) }) {
		signers = append(signers, self)
		pool = filterCands(pool, func(c *candidate) bool { return c.signedBy(self) })
	}
	for len(signers) < m {
		counts := map[common.Address]int{}
		for _, c := range pool {
			for _, sg := range c.sigs {
				if !excluded[sg.Signer] && !slices.Contains(signers, sg.Signer) {
					counts[sg.Signer]++
				}
			}
		}
		var best common.Address
		for a, n := range counts {
			if n > counts[best] || n == counts[best] && bytes.Compare(a[:], best[:]) < 0 {
				best = a
			}
		}
		if counts[best] == 0 {
			return nil, nil, ready
		}
		signers = append(signers, best)
		pool = filterCands(pool, func(c *candidate) bool { return c.signedBy(best) })
	}
	group = pool[:min(len(pool), max)]
	rest = filterCands(ready, func(c *candidate) bool { return !slices.Contains(group, c) })
	slices.SortFunc(signers, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	return signers, group, rest
}

func (c *candidate) signedBy(a common.Address) bool {
	return slices.ContainsFunc(c.sigs, func(s verdict.Signature) bool { return s.Signer == a })
}

func filterCands(cs []*candidate, keep func(*candidate) bool) []*candidate {
	var out []*candidate
	for _, c := range cs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// cosignRounds bounds how often one batch is re-formed because peers lack some of
// its verdicts.
const cosignRounds = 3

// cosign collects the batch signatures of signers over group, this node's own
// included. Verdicts a signer is said to lack are left out, and the smaller batch
// is asked again; those every peer known for the signer says it lacks are marked
// (the signer no longer counts toward their quorum, askCosign). It returns the
// signed batch, nil when nothing of the group could be co-signed, or the signer that
// could not answer (the batch is then re-formed without it).
func (s *Service) cosign(ctx context.Context, signers []common.Address, group []*candidate) (*signedBatch, common.Address) {
	cands := group
	for round := 0; round < cosignRounds && len(cands) > 0; round++ {
		vs := make([]*verdict.Verdict, len(cands))
		hashes := make([]common.Hash, len(cands))
		for i, c := range cands {
			vs[i], hashes[i] = c.v, c.hash
		}
		ask := batchAsk{hashes: hashes, vs: vs, digest: verdict.BatchDigest(s.domain, vs), claim: s.relayClaim(hashes)}
		answers := s.askCosigners(ctx, signers, ask)
		leftOut := map[common.Hash]bool{}
		for _, a := range answers {
			if a.err != nil {
				s.log.Debug("oracle did not co-sign a batch; re-forming it without that oracle", "signer", a.signer,
					"verdicts", len(cands), "err", a.err)
				return nil, a.signer
			}
			for _, h := range a.missing {
				leftOut[h] = true
			}
			for _, h := range a.lacking {
				s.markLacking(h, a.signer)
			}
		}
		if len(leftOut) == 0 {
			sigs := make([]verdict.Signature, len(answers))
			for i, a := range answers {
				sigs[i] = verdict.Signature{Signer: a.signer, Sig: a.sig}
			}
			verdict.SortBySigner(sigs)
			return &signedBatch{cands: cands, sigs: sigs}, common.Address{}
		}
		s.log.Warn("oracles lack verdicts of a batch; sending the batch without them", "lacking", len(leftOut), "verdicts", len(cands))
		cands = filterCands(cands, func(c *candidate) bool { return !leftOut[c.hash] })
	}
	return nil, common.Address{}
}

// markLacking records that signer does not hold verdict h as its own signed
// decision: its per-verdict signature no longer counts toward h's quorum.
func (s *Service) markLacking(h common.Hash, signer common.Address) {
	q := s.quorumOf(h)
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if q.lacking == nil {
		q.lacking = map[common.Address]bool{}
	}
	q.lacking[signer] = true
}

// withoutLacking drops from sigs the signers known to lack the verdict.
func (s *Service) withoutLacking(q *quorumState, sigs []verdict.Signature) []verdict.Signature {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return slices.DeleteFunc(sigs, func(sg verdict.Signature) bool { return q.lacking[sg.Signer] })
}

// cosignAnswer is one signer's answer for a batch: its signature, or the verdicts
// it lacks, or why it did not answer. missing are the verdicts left out of the
// batch for the signer; lacking are those it is known to lack (it no longer counts
// toward their quorum), most often the same.
type cosignAnswer struct {
	signer  common.Address
	sig     []byte
	missing []common.Hash
	lacking []common.Hash
	err     error
}

// batchAsk is a co-signing request: the verdicts of a batch, in order, by hash and
// content, their batch digest, and this node's relay claim over them.
type batchAsk struct {
	hashes []common.Hash
	vs     []*verdict.Verdict
	digest common.Hash
	claim  *api.RelayClaim
}

// without is the request for the batch without the verdicts of out, with no claim
// (a claim names the whole batch).
func (b batchAsk) without(d verdict.Domain, out []common.Hash) batchAsk {
	var rest batchAsk
	for i, h := range b.hashes {
		if !slices.Contains(out, h) {
			rest.hashes, rest.vs = append(rest.hashes, h), append(rest.vs, b.vs[i])
		}
	}
	rest.digest = verdict.BatchDigest(d, rest.vs)
	return rest
}

// askCosigners has every signer sign the batch digest at once: this node signs it
// itself (it signed every verdict of the batch), peers are asked over HTTP, with
// this node's relay claim over the batch.
func (s *Service) askCosigners(ctx context.Context, signers []common.Address, ask batchAsk) []cosignAnswer {
	answers := make([]cosignAnswer, len(signers))
	var wg sync.WaitGroup
	for i, a := range signers {
		answers[i].signer = a
		if a == s.oracle {
			answers[i].sig, answers[i].err = verdict.Sign(ask.digest, s.cfg.OracleKey)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = s.askCosign(ctx, a, ask)
		}()
	}
	wg.Wait()
	return answers
}

// askCosign asks every configured peer known to serve signer's signatures
// (peersOf) at once for signer's signature over the batch digest. A per-verdict
// signature is public, so a peer may be known for signer by serving one it copied,
// and what it says of signer weighs no more than any other's: the first batch
// signature that recovers to signer is the answer (the other requests finish in
// the background; Stop waits for them). Without one, a peer that failed to answer
// makes the signer's answer an error, and refusals are weighed by lackedBy.
func (s *Service) askCosign(ctx context.Context, signer common.Address, ask batchAsk) cosignAnswer {
	out := cosignAnswer{signer: signer}
	urls := s.peersOf(signer)
	if len(urls) == 0 {
		out.err = fmt.Errorf("no configured peer is known to sign as %s", signer)
		return out
	}
	type reply struct {
		base    string
		sig     []byte
		missing []common.Hash
		err     error
	}
	got := make(chan reply, len(urls)) // buffered: answers after the first signature are not waited for
	for _, base := range urls {
		s.goLoop(func() {
			r := reply{base: base}
			r.sig, r.missing, r.err = s.askCosignAt(ctx, base, signer, ask)
			got <- r
		})
	}
	refusals := map[string][]common.Hash{}
	var errs []error
	for range urls {
		r := <-got
		if r.err == nil && r.sig != nil {
			out.sig = r.sig
			return out
		}
		if r.err != nil {
			errs = append(errs, r.err)
		} else {
			refusals[r.base] = r.missing
		}
	}
	if out.err = errors.Join(errs...); out.err == nil {
		out.missing, out.lacking, out.err = s.lackedBy(ctx, signer, ask, refusals)
	}
	return out
}

// lackedBy weighs the refusals of the peers known for signer (by base URL, the
// verdicts each named), none of which signed the batch. When they all name the same
// verdicts, signer lacks those. Otherwise each refusal must be backed: it names
// every verdict of the batch, or its peer brings signer's batch signature over the
// rest (which signer's node makes only when it holds all of them, so a refusal
// naming less than signer lacks cannot be backed); a peer that does not back its
// refusal makes the signer's answer an error (it is passed over for the pass).
// signer lacks the verdicts every refusal names; when those have none in common (a
// peer brought a signature signer made before it withdrew a verdict), the verdicts
// any of them named are only left out of this batch.
func (s *Service) lackedBy(ctx context.Context, signer common.Address, ask batchAsk, refusals map[string][]common.Hash) (missing, lacking []common.Hash, err error) {
	var first []common.Hash
	agree := true
	for _, named := range refusals {
		if first == nil {
			first = named
		}
		agree = agree && slices.Equal(named, first)
	}
	if agree {
		return first, first, nil
	}
	for base, named := range refusals {
		if len(named) == len(ask.hashes) {
			continue
		}
		if sig, _, err := s.askCosignAt(ctx, base, signer, ask.without(s.domain, named)); sig == nil || err != nil {
			return nil, nil, fmt.Errorf("peers known to sign as %s refuse different verdicts of a batch, and %s did not back its refusal with %s's signature over the rest: %v",
				signer, base, signer, err)
		}
	}
	for _, h := range ask.hashes {
		named := 0
		for _, r := range refusals {
			if slices.Contains(r, h) {
				named++
			}
		}
		if named == len(refusals) {
			lacking = append(lacking, h)
		}
		if named > 0 {
			missing = append(missing, h)
		}
	}
	if len(lacking) > 0 {
		missing = lacking
	}
	return missing, lacking, nil
}

// askCosignAt asks the peer at base for signer's signature over the batch digest
// of ask, checking it recovers to signer; a 422 names the verdicts it lacks (each
// once, in the batch's order). Any other answer is an error.
func (s *Service) askCosignAt(ctx context.Context, base string, signer common.Address, ask batchAsk) ([]byte, []common.Hash, error) {
	code, raw, err := s.postPeer(ctx, base+"/v1/peer/batch-signature", ask.hashes, ask.claim)
	if err != nil {
		return nil, nil, err
	}
	switch code {
	case http.StatusOK:
		sig, err := cosignedSig(raw, signer, ask.digest)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", base, err)
		}
		return sig, nil, nil
	case http.StatusUnprocessableEntity:
		missing, err := lackedOf(raw, ask.hashes)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", base, err)
		}
		return nil, missing, nil
	}
	return nil, nil, fmt.Errorf("%s: HTTP %d %s", base, code, bytes.TrimSpace(raw[:min(len(raw), 512)]))
}

// postPeer posts the verdict hashes of a batch and this node's claim over them
// (when not nil) to a peer's url, returning the HTTP status and body of its answer.
func (s *Service) postPeer(ctx context.Context, url string, hashes []common.Hash, claim *api.RelayClaim) (int, []byte, error) {
	body, err := json.Marshal(struct {
		VerdictHashes []common.Hash   `json:"verdict_hashes"`
		Claim         *api.RelayClaim `json:"claim,omitempty"`
	}{hashes, claim})
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, raw, err
}

// announceClaim sends this node's signed relay claim over a batch to the configured
// peers that are not among its signers (those had it with the co-signing request),
// in the background (POST /v1/peer/relay-claim: one signature recovery for the
// peer, no store read, no signing): a peer that takes it leaves the relaying of the
// batch's verdicts to this node (claimHold), so that with M of N > M oracles the
// peers outside the batch do not relay the same verdicts as well. A peer that does
// not answer is not waited for.
func (s *Service) announceClaim(ctx context.Context, signers []common.Address, batch []*candidate) {
	inBatch := map[string]bool{}
	for _, a := range signers {
		for _, u := range s.peersOf(a) {
			inBatch[u] = true
		}
	}
	hashes := make([]common.Hash, len(batch))
	for i, c := range batch {
		hashes[i] = c.hash
	}
	var claim *api.RelayClaim
	for _, p := range s.cfg.Peers {
		if inBatch[p] {
			continue
		}
		if claim == nil {
			if claim = s.relayClaim(hashes); claim == nil {
				return
			}
		}
		s.goLoop(func() {
			code, raw, err := s.postPeer(ctx, p+"/v1/peer/relay-claim", hashes, claim)
			if err == nil && code != http.StatusNoContent {
				err = fmt.Errorf("HTTP %d %s", code, bytes.TrimSpace(raw[:min(len(raw), 512)]))
			}
			if err != nil {
				s.log.Debug("peer outside a batch not told of it", "peer", p, "err", err)
			}
		})
	}
}

// cosignedSig reads a 200 answer: the signature must recover to signer over digest.
func cosignedSig(raw []byte, signer common.Address, digest common.Hash) ([]byte, error) {
	var v api.BatchSignatureView
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("batch signature answer: %w", err)
	}
	sig, err := hexutil.Decode(v.Signature)
	if err != nil {
		return nil, fmt.Errorf("batch signature is not hex: %w", err)
	}
	got, err := verdict.Recover(digest, sig)
	if err != nil {
		return nil, fmt.Errorf("batch signature: %w", err)
	}
	if got != signer {
		return nil, fmt.Errorf("batch signature recovers to %s, not %s (the peer signed another batch)", got, signer)
	}
	return sig, nil
}

// lackedOf reads a 422 answer: the verdicts of hashes the peer lacks, each once and
// in the order of hashes. An answer naming none of them is an error.
func lackedOf(raw []byte, hashes []common.Hash) ([]common.Hash, error) {
	var nb struct {
		Error   string        `json:"error"`
		Missing []common.Hash `json:"missing"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		return nil, fmt.Errorf("batch signature refusal: %w", err)
	}
	var missing []common.Hash
	for _, h := range hashes {
		if slices.Contains(nb.Missing, h) && !slices.Contains(missing, h) {
			missing = append(missing, h)
		}
	}
	if len(missing) == 0 {
		return nil, fmt.Errorf("batch signature refused naming no verdict of the batch: %s", nb.Error)
	}
	return missing, nil
}

// peersOf returns the base URLs of the configured peers that have served a
// signature by a, in the order they first did.
func (s *Service) peersOf(a common.Address) []string {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return slices.Clone(s.peerURLs[a])
}

// notePeer records that the configured peer at base served a signature by a. A
// signature by a is public (any peer can fetch one from a's node and serve it), so
// base is added to the peers known for a and never replaces one: a peer serving
// copies cannot take a's co-signing requests away from a's own node (askCosign).
// Callers pass configured peers only, so each signer has at most that many.
func (s *Service) notePeer(a common.Address, base string) {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if s.peerURLs == nil {
		s.peerURLs = map[common.Address][]string{}
	}
	if !slices.Contains(s.peerURLs[a], base) {
		s.peerURLs[a] = append(s.peerURLs[a], base)
	}
}

// learnPeers finds which configured peers sign as the batch's signers when that is
// not known yet (a node learns it when it fetches a peer's signature, which a node
// restarted with its quorums complete has not done): it fetches the peers'
// signatures over verdicts of the group, and learns only keys among the signers.
func (s *Service) learnPeers(ctx context.Context, signers []common.Address, group []*candidate) {
	known := map[string]bool{}
	unknown := false
	for _, a := range signers {
		urls := s.peersOf(a)
		for _, u := range urls {
			known[u] = true
		}
		if len(urls) == 0 && a != s.oracle {
			unknown = true
		}
	}
	if !unknown {
		return
	}
	// The signers are oracles (their signatures were checked against the registry);
	// a key a peer serves that is none of them is not learnt (askPeer).
	isSigner := func(a common.Address) (bool, error) { return slices.Contains(signers, a) && a != s.oracle, nil }
	for _, p := range s.cfg.Peers {
		for _, c := range group[:min(len(group), 3)] {
			if known[p] {
				break
			}
			if a := s.askPeer(ctx, p, c.hash, c.v.EvidenceHash, isSigner); a.sig != nil {
				known[p] = true
			}
		}
	}
}

// claimHold is how long a node leaves to the peer whose batch it co-signed the
// relaying of that batch's verdicts: a co-signed batch is about to be sent, and
// relaying its verdicts too would pay gas for entries the registry skips. It covers
// a few blocks of a slow chain; past it (the peer died, its transaction is stuck) the
// relay rule (relaysNow) applies again. The claim ends early when the verdict is
// settled (forget).
const claimHold = 30 * time.Second

// maxClaims bounds the relay claims a node keeps, shared among the signers of its
// configured peers (claimShare).
const maxClaims = 4096

// claimShare is how many relay claims one signer (a configured peer's oracle key)
// may have kept at once, of a node with peers configured peers: an equal share of
// maxClaims, and at least a full batch (api.MaxBatchVerdicts). Past it the
// signer's claims are refused (429) until some of its own settle or expire, so one
// peer (hostile, or broken and claiming everything) cannot fill the table and push
// out its peers' claims: the table holds every known signer's full share
// (claimTable), so a signer within its share always has room.
func claimShare(peers int) int { return max(maxClaims/max(peers, 1), api.MaxBatchVerdicts) }

// claimTable is the size of the relay claim table: a share for each configured
// peer, or for each signer known to sign as one (peerURLs) when there are more.
func claimTable(peers, signers int) int { return claimShare(peers) * max(peers, signers, 1) }

// claimNote is one verdict's relay claim: until when it holds and the signer that
// claimed it, whose share it counts against.
type claimNote struct {
	until  time.Time
	signer common.Address
}

// errClaimShare: a relay claim would take its signer past its share of the claim
// table.
var errClaimShare = errors.New("relay claim past its signer's share of the claim table")

// noteClaims records that the peer signing as signer relays the verdicts of hashes
// until until (an authenticated claim, NoteRelayClaim). Only the first claim of a
// verdict counts, and it is not renewed: a claim holds a verdict back once, for at
// most claimHold, and a replayed claim changes nothing. That bound is kept by the
// verdict's quorum state (claimed), not by this map, which forgets expired entries
// when a signer reaches its share. Claims are dropped with the verdict's quorum
// state (forget); those of verdicts this node never settles (it did not hold them,
// or not yet) stay until they expire and some signer needs the room. Each signer
// has claimShare entries at most: a claim that would take it past that (expired
// entries forgotten first) is refused whole, recording nothing, with an
// *api.TooManyError wrapping errClaimShare whose RetryAfter is when the signer's
// earliest kept claim expires.
func (s *Service) noteClaims(signer common.Address, hashes []common.Hash, until time.Time) error {
	now := s.cfg.Now()
	share := claimShare(len(s.cfg.Peers))
	s.qmu.Lock()
	defer s.qmu.Unlock()
	table := claimTable(len(s.cfg.Peers), len(s.peerURLs))
	if s.claims == nil {
		s.claims, s.claimsOf = map[common.Hash]claimNote{}, map[common.Address]int{}
	}
	fresh := func() []common.Hash { // hashes not claimed yet, once each
		out, seen := make([]common.Hash, 0, len(hashes)), make(map[common.Hash]bool, len(hashes))
		for _, h := range hashes {
			if _, ok := s.claims[h]; !ok && !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
		return out
	}
	add := fresh()
	if s.claimsOf[signer]+len(add) > share || len(s.claims)+len(add) > table {
		earliest := now.Add(claimHold)
		for h, c := range s.claims {
			switch {
			case !now.Before(c.until):
				s.dropClaim(h, c)
			case c.signer == signer && c.until.Before(earliest):
				earliest = c.until
			}
		}
		add = fresh()
		if held := s.claimsOf[signer]; held+len(add) > share || len(s.claims)+len(add) > table {
			return &api.TooManyError{RetryAfter: earliest.Sub(now), Err: fmt.Errorf(
				"%w: signer %s holds %d claims of verdicts, and %d more would pass its share of %d (the node keeps %d, a share for each of its %d peers)",
				errClaimShare, signer, held, len(add), share, table, max(len(s.cfg.Peers), 1))}
		}
	}
	for _, h := range add {
		s.claims[h] = claimNote{until: until, signer: signer}
	}
	s.claimsOf[signer] += len(add)
	return nil
}

// dropClaim forgets the claim c of h (qmu held).
func (s *Service) dropClaim(h common.Hash, c claimNote) {
	delete(s.claims, h)
	if s.claimsOf[c.signer]--; s.claimsOf[c.signer] <= 0 {
		delete(s.claimsOf, c.signer)
	}
}

// claimed reports whether a peer's claim of the relaying of verdict h holds now.
// For a verdict this node is publishing (it has its quorum state), claims hold it
// back for at most claimHold in all, counted from when one first did (held):
// the claims map forgets expired entries when a signer needs the room, so a peer
// that fills its share could otherwise claim the same verdict again and again.
func (s *Service) claimed(h common.Hash) bool {
	now := s.cfg.Now()
	s.qmu.Lock()
	defer s.qmu.Unlock()
	c, ok := s.claims[h]
	if !ok || !now.Before(c.until) {
		return false
	}
	q := s.quorum[h]
	if q == nil {
		return true // not being published by this node: nothing is held back
	}
	if q.held.IsZero() {
		q.held = now
	}
	return now.Sub(q.held) < claimHold
}

// unclaimed returns the candidates of cs no peer is relaying.
func (s *Service) unclaimed(cs []*candidate) []*candidate {
	return filterCands(cs, func(c *candidate) bool { return !s.claimed(c.hash) })
}
