package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// forwardEvidence gives a peer that has never seen this verdict's evidence the
// archived bundle, with the same machine, key and anchor, so that an agent need
// attest to one node of a quorum only: every node appraises the same bytes as of the
// same anchor block and, agreeing, signs the same verdict hash. It is tried once per
// peer and verdict while it succeeds (the peer then answers 202, or 200 or 409 when
// it had the evidence already); a failure is retried on the next pass.
func (s *Service) forwardEvidence(ctx context.Context, peer string, v *verdict.Verdict, q *quorumState, st api.PeerStatus) api.PeerStatus {
	s.qmu.Lock()
	done := q.forwarded[peer]
	s.qmu.Unlock()
	if done {
		return st
	}
	bundle, err := s.st.Evidence(v.EvidenceHash)
	if errors.Is(err, store.ErrNotFound) {
		return st // a verdict this node signed for a peer's evidence: nothing to give
	}
	if err != nil {
		st.Detail = "evidence not forwarded: " + err.Error()
		return st
	}
	pop, err := s.possessionOf(v.EvidenceHash)
	if err != nil {
		st.Detail = "evidence not forwarded: " + err.Error()
		return st
	}
	qs := url.Values{}
	qs.Set("machine_id", v.MachineID.String())
	qs.Set("tee_key", v.TEEKey.String())
	qs.Set("anchor_block", strconv.FormatUint(v.AnchorBlockNumber, 10))
	qs.Set("pop", hexutil.Encode(pop))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, peer+"/v1/evidence?"+qs.Encode(), bytes.NewReader(bundle))
	if err != nil {
		st.Detail = "evidence not forwarded: " + err.Error()
		return st
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		st.Detail = "evidence not forwarded: " + err.Error()
		return st
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch resp.StatusCode {
	case http.StatusAccepted, http.StatusOK, http.StatusConflict:
		s.qmu.Lock()
		if q.forwarded == nil {
			q.forwarded = map[string]bool{}
		}
		q.forwarded[peer] = true
		s.qmu.Unlock()
		s.log.Info("evidence forwarded to peer", "peer", peer, "evidence", v.EvidenceHash, "machine", v.MachineID, "status", resp.StatusCode)
		st.Detail = "evidence forwarded"
	default:
		st.Detail = fmt.Sprintf("evidence not forwarded: HTTP %d %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	return st
}

// possessionOf returns the proof of possession the evidence was submitted with: a
// peer checks it before it appraises the evidence, as this node did.
func (s *Service) possessionOf(evHash common.Hash) ([]byte, error) {
	id, err := s.st.Meta("ev/" + evHash.String())
	if err != nil {
		return nil, fmt.Errorf("submission of evidence %s: %w", evHash, err)
	}
	m, err := s.subMeta(string(id))
	if err != nil {
		return nil, err
	}
	if len(m.PoP) == 0 {
		return nil, fmt.Errorf("submission %s has no proof of possession", id)
	}
	return m.PoP, nil
}
