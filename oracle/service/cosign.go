package service

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

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
// *api.NotHeldError, and nothing is signed. Either way the peer is taken to relay
// the batch's verdicts (noteClaims).
func (s *Service) BatchSignature(ctx context.Context, hashes []common.Hash) (*api.BatchSignatureView, error) {
	vs := make([]*verdict.Verdict, 0, len(hashes))
	var missing, held []common.Hash
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := s.ownVerdict(h)
		if errors.Is(err, errNotOwn) {
			missing = append(missing, h)
			continue
		}
		if err != nil {
			return nil, err
		}
		vs, held = append(vs, v), append(held, h)
	}
	// The peer relays the batch: this node leaves the relaying of its verdicts to
	// the peer for a while (noteClaims), those it lacks too (it may hold them soon).
	s.noteClaims(held)
	s.noteEarlyClaims(missing)
	if len(missing) > 0 {
		return nil, &api.NotHeldError{Hashes: missing}
	}
	d := verdict.BatchDigest(s.domain, vs)
	sig, err := verdict.Sign(d, s.cfg.OracleKey)
	if err != nil {
		return nil, err
	}
	s.m.cosigned.Add(float64(len(vs)))
	return &api.BatchSignatureView{Signer: s.oracle, Signature: "0x" + hex.EncodeToString(sig), BatchDigest: d,
		VerdictHashes: append([]common.Hash(nil), hashes...)}, nil
}

// errNotOwn: the node holds no verdict with this hash that it decided and signed.
var errNotOwn = errors.New("not this node's signed verdict")

// ownVerdict returns the verdict with digest h when this node decided and signed it
// (its own signature over h is stored with it, and its content hashes to h under
// this registry's domain), errNotOwn when it did not.
func (s *Service) ownVerdict(h common.Hash) (*verdict.Verdict, error) {
	sigs, err := s.st.Signatures(h)
	if err != nil {
		return nil, err
	}
	if _, ok := sigs[s.oracle]; !ok {
		return nil, errNotOwn
	}
	sv, err := s.st.Verdict(h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotOwn
	}
	if err != nil {
		return nil, err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(sv.Body, &v); err != nil {
		return nil, fmt.Errorf("stored verdict %s: %w", h, err)
	}
	if v.Digest(s.domain) != h {
		return nil, errNotOwn // stored for another registry's domain
	}
	return &v, nil
}
