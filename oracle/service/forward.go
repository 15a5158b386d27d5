package service

import (
	"bytes"
	"context"
	"encoding/json"
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
// same anchor block and, agreeing, signs the same verdict hash. It is sent once per
// peer and verdict: the peer answers 202, or 200 or 409 when it had the evidence
// already. A refusal (refusedForGood: 422 for a proof of possession it does not
// accept, as a peer of another possession version answers, 413, 400) is final: the
// same bytes would be refused again, so they are not sent again, which would cost up
// to 128 KiB per peer and verdict on every pass. Anything else (no answer, 408, 429,
// 5xx, a 422 on the anchor block from a peer whose chain lags) is retried on the next
// pass.
func (s *Service) forwardEvidence(ctx context.Context, peer string, v *verdict.Verdict, q *quorumState, st api.PeerStatus) api.PeerStatus {
	s.qmu.Lock()
	detail, done := q.forwarded[peer]
	s.qmu.Unlock()
	if done {
		if detail != "" {
			st.Detail = detail
		}
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
	switch code := resp.StatusCode; {
	case code == http.StatusAccepted, code == http.StatusOK, code == http.StatusConflict:
		s.markForwarded(q, peer, "")
		s.log.Info("evidence forwarded to peer", "peer", peer, "evidence", v.EvidenceHash, "machine", v.MachineID, "status", code)
		st.Detail = "evidence forwarded"
	case refusedForGood(code, body):
		st.Detail = fmt.Sprintf("evidence refused by the peer, not sent again: HTTP %d %s", code, bytes.TrimSpace(body))
		s.markForwarded(q, peer, st.Detail)
		s.log.Warn("peer refused the forwarded evidence; not sent again", "peer", peer, "evidence", v.EvidenceHash,
			"machine", v.MachineID, "status", code, "answer", string(bytes.TrimSpace(body)))
	default:
		st.Detail = fmt.Sprintf("evidence not forwarded: HTTP %d %s", code, bytes.TrimSpace(body))
	}
	return st
}

// refusedForGood reports whether a peer's answer to forwarded evidence is final: a
// 4xx other than 408 (the body was slow), 429 (the peer's rate limits) and a 422 on
// the anchor block (body: the API's error JSON), which a peer whose chain endpoint
// lags answers until it sees the block; an anchor grown too old is refused so too,
// and is re-sent only until the verdict's quorum times out.
func refusedForGood(code int, body []byte) bool {
	if code == http.StatusUnprocessableEntity {
		var e struct {
			Field string `json:"field"`
		}
		if json.Unmarshal(body, &e) == nil && e.Field == "anchor_block" {
			return false
		}
	}
	return code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests
}

// markForwarded records that peer is done with q's evidence, detail being what its
// status says of it on later passes ("" when it has the evidence).
func (s *Service) markForwarded(q *quorumState, peer, detail string) {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if q.forwarded == nil {
		q.forwarded = map[string]string{}
	}
	q.forwarded[peer] = detail
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
