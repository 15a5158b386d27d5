package service

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

var _ api.BatchSigner = (*Service)(nil)

// BatchSignature co-signs a batch for a peer: it signs the batch digest of the
// verdicts named by hashes, in that order, each rebuilt from this node's own store,
// and only when this node decided and signed every one of them itself. The request
// names verdicts; it never supplies their content. Every other hash is listed in an
// *api.NotHeldError, and nothing is signed. Asking is no relay claim: a claim comes
// signed with the request (NoteRelayClaim).
func (s *Service) BatchSignature(ctx context.Context, hashes []common.Hash) (*api.BatchSignatureView, error) {
	shs := make([]common.Hash, 0, len(hashes))
	var missing []common.Hash
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sh, err := s.ownStructHash(h)
		if errors.Is(err, errNotOwn) {
			missing = append(missing, h)
			continue
		}
		if err != nil {
			return nil, err
		}
		shs = append(shs, sh)
	}
	if len(missing) > 0 {
		return nil, &api.NotHeldError{Hashes: missing}
	}
	d := verdict.BatchDigestOf(s.domain, shs)
	sig, err := verdict.Sign(d, s.cfg.OracleKey)
	if err != nil {
		return nil, err
	}
	s.m.cosigned.Add(float64(len(shs)))
	return &api.BatchSignatureView{Signer: s.oracle, Signature: "0x" + hex.EncodeToString(sig), BatchDigest: d,
		VerdictHashes: append([]common.Hash(nil), hashes...)}, nil
}

// errNotOwn: the node holds no verdict with this hash that it decided and signed.
var errNotOwn = errors.New("not this node's signed verdict")

// ownStructHash returns the struct hash of the verdict with digest h when this node
// decided and signed it (its own signature over h is stored with it and not
// withdrawn, and its content hashes to h under this registry's domain), errNotOwn
// when it did not. It reads this node's one signature, not all of them, and hashes
// the verdict once.
func (s *Service) ownStructHash(h common.Hash) (common.Hash, error) {
	if _, err := s.ownSignature(h); errors.Is(err, api.ErrNotFound) {
		return common.Hash{}, errNotOwn
	} else if err != nil {
		return common.Hash{}, err
	}
	sv, err := s.st.Verdict(h)
	if errors.Is(err, store.ErrNotFound) {
		return common.Hash{}, errNotOwn
	}
	if err != nil {
		return common.Hash{}, err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(sv.Body, &v); err != nil {
		return common.Hash{}, fmt.Errorf("stored verdict %s: %w", h, err)
	}
	sh := v.StructHash()
	if verdict.DigestOf(s.domain, sh) != h {
		return common.Hash{}, errNotOwn // stored for another registry's domain
	}
	return sh, nil
}

var _ api.RelayClaimer = (*Service)(nil)

// claimSkew is how far a relay claim's expiry may lie past claimHold from now: the
// clocks of two nodes and the claim's trip between them.
const claimSkew = 10 * time.Second

// NoteRelayClaim leaves the relaying of the verdicts of hashes to the peer that
// signed c, until c expires and for at most claimHold. It takes c only when it is
// current (expiring after now, within claimHold+claimSkew), its signature over
// verdict.RelayClaimDigest recovers to c.Signer, and the signer is a configured
// peer oracle (one of the peers has served a signature made by it), never this
// node itself; otherwise it records nothing and says why. A replayed claim changes
// nothing: the first claim of a verdict counts and is never renewed (noteClaims),
// and an expired one is refused. A claim that would take its signer past its share
// of the claim table (claimShare) is refused whole with an *api.TooManyError (429).
// Every refusal counts in teeoracle_relay_claims_refused_total by reason.
func (s *Service) NoteRelayClaim(hashes []common.Hash, c api.RelayClaim) error {
	now := s.cfg.Now()
	refuse := func(format string, args ...any) error {
		s.m.claimsRefused.WithLabelValues("forbidden").Inc()
		return &api.FieldError{Field: "claim", Err: fmt.Errorf("%w: relay claim "+format, append([]any{api.ErrForbidden}, args...)...)}
	}
	latest := now.Add(claimHold + claimSkew).Unix()
	switch {
	case c.Expires <= uint64(now.Unix()):
		return refuse("expired at %d (now %d)", c.Expires, now.Unix())
	case c.Expires > uint64(latest):
		return refuse("expires at %d, later than %d (at most %s from now)", c.Expires, latest, claimHold+claimSkew)
	}
	got, err := verdict.Recover(verdict.RelayClaimDigest(s.domain, hashes, c.Expires), c.Signature)
	switch {
	case err != nil:
		return refuse("signature: %v", err)
	case got != c.Signer:
		return refuse("signature recovers to %s, not to the signer %s (another claim, registry or expiry)", got, c.Signer)
	case got == s.oracle:
		return refuse("signed by this node's own oracle key")
	}
	if len(s.peersOf(got)) == 0 {
		return refuse("signer %s is not a configured peer oracle (no peer of --peer has served a signature by it)", got)
	}
	until := time.Unix(int64(c.Expires), 0)
	if hold := now.Add(claimHold); hold.Before(until) {
		until = hold
	}
	if err := s.noteClaims(got, hashes, until); err != nil {
		s.m.claimsRefused.WithLabelValues("signer_share").Inc()
		return err
	}
	return nil
}

// relayClaim is this node's signed claim that it sends the verdicts of hashes,
// expiring claimHold from now; nil (no claim) when signing fails.
func (s *Service) relayClaim(hashes []common.Hash) *api.RelayClaim {
	exp := uint64(s.cfg.Now().Add(claimHold).Unix())
	sig, err := verdict.Sign(verdict.RelayClaimDigest(s.domain, hashes, exp), s.cfg.OracleKey)
	if err != nil {
		s.log.Warn("relay claim not signed; peers are not told of the batch", "err", err)
		return nil
	}
	return &api.RelayClaim{Signer: s.oracle, Expires: exp, Signature: sig}
}
