package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/ethereum/go-ethereum/common"
)

// MaxBatchVerdicts bounds the verdict hashes of one batch co-signing request.
const MaxBatchVerdicts = 256

// MaxBatchRequestBytes bounds a batch co-signing request's body: 256 hashes are
// 256 × 69 bytes quoted and separated, about 17.7 KiB, so 32 KiB leaves room for
// whitespace and nothing for anything else.
const MaxBatchRequestBytes = 32 << 10

// Bounds on co-signing requests in flight (the same all-or-nothing admission as
// evidence, counted apart so that peers and agents do not crowd each other out).
const (
	maxCosignInFlight  = 16
	maxCosignPerClient = 4
)

// BatchSignatureRequest is the body of POST /v1/peer/batch-signature: the digests
// of the verdicts of a batch, in the batch's order.
type BatchSignatureRequest struct {
	VerdictHashes []string `json:"verdict_hashes"`
}

// BatchSignatureView is a node's signature over the EIP-712 batch digest of
// verdicts it decided and signed itself (verdict.BatchDigest), in the order asked.
type BatchSignatureView struct {
	Signer        common.Address `json:"signer"`
	Signature     string         `json:"signature"` // 0x-hex, 65 bytes r||s||v
	BatchDigest   common.Hash    `json:"batch_digest"`
	VerdictHashes []common.Hash  `json:"verdict_hashes"`
}

// BatchSigner is implemented by a Backend that co-signs batches for its peers.
// BatchSignature signs the batch digest of the verdicts named by hashes, rebuilt
// from the node's own stored verdicts, only when the node decided and signed every
// one of them itself; otherwise it returns a *NotHeldError naming the others.
// hashes are non-empty, distinct and at most MaxBatchVerdicts.
type BatchSigner interface {
	BatchSignature(ctx context.Context, hashes []common.Hash) (*BatchSignatureView, error)
}

// NotHeldError names the verdicts of a batch the node has not itself decided and
// signed (it never saw the evidence, decided differently, or no longer keeps
// them). It is answered 422 with the hashes in "missing".
type NotHeldError struct {
	Hashes []common.Hash
}

func (e *NotHeldError) Error() string {
	return fmt.Sprintf("this node has not decided and signed %d of the batch's verdicts: %v", len(e.Hashes), e.Hashes)
}

// notHeldBody is the 422 answer: the error and the hashes to drop from the batch.
type notHeldBody struct {
	Error   string        `json:"error"`
	Field   string        `json:"field"`
	Missing []common.Hash `json:"missing"`
}

// DecodeBatchRequest reads a co-signing request's body strictly: one JSON object
// with only verdict_hashes, 1 to MaxBatchVerdicts hashes of 0x and 64 hex digits,
// no hash twice, nothing after the object.
func DecodeBatchRequest(body []byte) ([]common.Hash, error) {
	if len(body) > MaxBatchRequestBytes {
		return nil, badField("body", "%d bytes, at most %d", len(body), MaxBatchRequestBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req BatchSignatureRequest
	if err := dec.Decode(&req); err != nil {
		return nil, badField("body", "want {\"verdict_hashes\": [\"0x…\", …]}: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badField("body", "data after the JSON object")
	}
	switch n := len(req.VerdictHashes); {
	case req.VerdictHashes == nil:
		return nil, badField("verdict_hashes", "required")
	case n == 0:
		return nil, badField("verdict_hashes", "empty: a batch has at least one verdict")
	case n > MaxBatchVerdicts:
		return nil, badField("verdict_hashes", "%d hashes, at most %d", n, MaxBatchVerdicts)
	}
	out := make([]common.Hash, len(req.VerdictHashes))
	at := make(map[common.Hash]int, len(out))
	for i, s := range req.VerdictHashes {
		field := fmt.Sprintf("verdict_hashes[%d]", i)
		h, err := hashParam(field, s)
		if err != nil {
			return nil, err
		}
		if j, dup := at[h]; dup {
			return nil, badField(field, "%s is also entry %d: a batch names each verdict once", h, j)
		}
		at[h] = i
		out[i] = h
	}
	return out, nil
}

// handleBatchSignature co-signs a batch for a peer's publisher. It adds no power to
// whoever calls it: the node signs only the batch digest of verdicts it decided and
// signed one by one (each signature is served by GET /v1/verdicts/{hash}/signature
// already), rebuilt from its own store, never from the request (docs/architecture.md,
// Batch co-signing).
func (s *Server) handleBatchSignature(w http.ResponseWriter, r *http.Request) {
	bs, ok := s.backend.(BatchSigner)
	if !ok {
		writeError(w, http.StatusNotFound, "this node does not co-sign batches", "")
		return
	}
	if err := onlyParams(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.fail(w, r, badField("Content-Type", "want application/json, got %q", clip(r.Header.Get("Content-Type"))))
		return
	}
	if r.ContentLength > MaxBatchRequestBytes {
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", MaxBatchRequestBytes), "body")
		drainBody(w, r)
		return
	}
	// The body (at most 32 KiB) is read before a co-signing place is taken, so a
	// client trickling its body holds only its connection, never one of the places
	// honest peers need.
	body, err := readBody(http.MaxBytesReader(w, r.Body, MaxBatchRequestBytes), r.ContentLength)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	release, ok := s.admitCosign(w, r)
	if !ok {
		return
	}
	defer release()
	hashes, err := DecodeBatchRequest(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := bs.BatchSignature(r.Context(), hashes)
	var nh *NotHeldError
	if errors.As(err, &nh) {
		writeJSON(w, http.StatusUnprocessableEntity, notHeldBody{Error: nh.Error(), Field: "verdict_hashes", Missing: nh.Hashes})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// admitCosign takes the request's place among the co-signing requests in flight,
// or refuses it at once (429 for the client's own bound, 503 for the node's).
func (s *Server) admitCosign(w http.ResponseWriter, r *http.Request) (func(), bool) {
	release, err := s.cosign.acquire(ClientKey(clientAddr(r, s.cfg.TrustedProxies)), MaxBatchRequestBytes)
	switch {
	case errors.Is(err, errClientBusy):
		s.metrics.refused.WithLabelValues("cosign_client").Inc()
		refuse(w, r, http.StatusTooManyRequests, 1, "this client's batch co-signing requests in flight at its limit")
		return nil, false
	case err != nil:
		s.metrics.refused.WithLabelValues("cosign_busy").Inc()
		refuse(w, r, http.StatusServiceUnavailable, 1, "batch co-signing requests in flight at the node's limit")
		return nil, false
	}
	return release, true
}
