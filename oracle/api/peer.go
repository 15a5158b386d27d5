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
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// MaxBatchVerdicts bounds the verdict hashes of one batch co-signing request.
const MaxBatchVerdicts = 256

// MaxBatchRequestBytes bounds a batch co-signing request's body: 256 hashes are
// 256 × 69 bytes quoted and separated, about 17.7 KiB, so 32 KiB leaves room for
// whitespace and nothing for anything else.
const MaxBatchRequestBytes = 32 << 10

// Bounds on co-signing requests (the same admission as evidence, counted apart so
// that peers and agents do not crowd each other out): in flight, in all and per
// client, and the bytes of their bodies being received or in flight, in all and,
// while arriving, per client (four bodies; an IPv6 /48 8 clients' share, a /32 64
// clients'). Half-sent bodies fill maxPeerBodyBytes (8 MiB, where reading every
// body before any bound would let the node's 4,096 connections hold 128 MiB) only
// from 64 /24s, as many as fill the node's connections (64 each) anyway.
const (
	maxCosignInFlight  = 16
	maxCosignPerClient = 4
	maxPeerBodyBytes   = 256 * MaxBatchRequestBytes
)

// BatchSignatureRequest is the body of POST /v1/peer/batch-signature: the digests
// of the verdicts of a batch, in the batch's order, and optionally the asker's
// relay claim over them. POST /v1/peer/relay-claim takes the same body with the
// claim required.
type BatchSignatureRequest struct {
	VerdictHashes []string    `json:"verdict_hashes"`
	Claim         *RelayClaim `json:"claim,omitempty"`
}

// RelayClaim is an oracle's signed statement that it is sending the verdicts a
// request names to the registry: its signature over verdict.RelayClaimDigest of
// the request's verdict hashes (in order) and Expires. A node leaves the relaying
// of those verdicts to the claimer until Expires (at most claimHold from when it is
// told, docs/architecture.md) only when the signer is one of its configured peer
// oracles; any other claim has no effect.
type RelayClaim struct {
	Signer    common.Address `json:"signer"`
	Expires   uint64         `json:"expires"`   // Unix seconds
	Signature hexutil.Bytes  `json:"signature"` // 0x-hex, 65 bytes r||s||v
}

// ErrForbidden: the request is well-formed but not from whom it must be, such as a
// relay claim not signed by a configured peer oracle (403).
var ErrForbidden = errors.New("forbidden")

// RelayClaimer is implemented by a Backend that takes its peers' relay claims.
// NoteRelayClaim records that the signer of c sends the verdicts of hashes when c
// is authentic, current and from a configured peer oracle; otherwise it returns
// a FieldError wrapping ErrForbidden that says why, and records nothing.
type RelayClaimer interface {
	NoteRelayClaim(hashes []common.Hash, c RelayClaim) error
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

// DecodeBatchRequest reads a co-signing request's body strictly (DecodePeerRequest)
// and returns its verdict hashes.
func DecodeBatchRequest(body []byte) ([]common.Hash, error) {
	hs, _, err := DecodePeerRequest(body)
	return hs, err
}

// DecodePeerRequest reads a co-signing or relay claim request's body strictly: one
// JSON object with verdict_hashes and optionally claim, 1 to MaxBatchVerdicts
// hashes of 0x and 64 hex digits, no hash twice, nothing after the object; a
// claim names a signer, a non-zero expiry and a 65-byte signature.
func DecodePeerRequest(body []byte) ([]common.Hash, *RelayClaim, error) {
	if len(body) > MaxBatchRequestBytes {
		return nil, nil, badField("body", "%d bytes, at most %d", len(body), MaxBatchRequestBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req BatchSignatureRequest
	if err := dec.Decode(&req); err != nil {
		return nil, nil, badField("body", "want {\"verdict_hashes\": [\"0x…\", …]}: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, badField("body", "data after the JSON object")
	}
	if err := checkClaim(req.Claim); err != nil {
		return nil, nil, err
	}
	switch n := len(req.VerdictHashes); {
	case req.VerdictHashes == nil:
		return nil, nil, badField("verdict_hashes", "required")
	case n == 0:
		return nil, nil, badField("verdict_hashes", "empty: a batch has at least one verdict")
	case n > MaxBatchVerdicts:
		return nil, nil, badField("verdict_hashes", "%d hashes, at most %d", n, MaxBatchVerdicts)
	}
	out := make([]common.Hash, len(req.VerdictHashes))
	at := make(map[common.Hash]int, len(out))
	for i, s := range req.VerdictHashes {
		field := fmt.Sprintf("verdict_hashes[%d]", i)
		h, err := hashParam(field, s)
		if err != nil {
			return nil, nil, err
		}
		if j, dup := at[h]; dup {
			return nil, nil, badField(field, "%s is also entry %d: a batch names each verdict once", h, j)
		}
		at[h] = i
		out[i] = h
	}
	return out, req.Claim, nil
}

// checkClaim checks a claim's form (not its signature): nil is no claim.
func checkClaim(c *RelayClaim) error {
	switch {
	case c == nil:
		return nil
	case c.Signer == common.Address{}:
		return badField("claim.signer", "required")
	case c.Expires == 0:
		return badField("claim.expires", "required (Unix seconds)")
	case len(c.Signature) != 65:
		return badField("claim.signature", "%d bytes, want 65", len(c.Signature))
	}
	return nil
}

// peerRequest reads, admits and decodes a peer request (at most
// MaxBatchRequestBytes of JSON, DecodePeerRequest), answering the client itself
// when it cannot; the caller calls release when done. While its body arrives a
// request holds one of its client's places and the bytes that arrived (admission);
// a co-signing place in flight is taken only once the body is in, so a client
// trickling its body never holds one of the places honest peers need.
func (s *Server) peerRequest(w http.ResponseWriter, r *http.Request) (hashes []common.Hash, claim *RelayClaim, release func(), ok bool) {
	if err := onlyParams(r); err != nil {
		s.fail(w, r, err)
		return nil, nil, nil, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.fail(w, r, badField("Content-Type", "want application/json, got %q", clip(r.Header.Get("Content-Type"))))
		return nil, nil, nil, false
	}
	if r.ContentLength > MaxBatchRequestBytes {
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", MaxBatchRequestBytes), "body")
		drainBody(w, r)
		return nil, nil, nil, false
	}
	t, err := s.cosign.enter(ClientKey(clientAddr(r, s.cfg.TrustedProxies)))
	if err == nil {
		var body []byte
		if body, err = s.readBody(w, r, r.Body, MaxBatchRequestBytes, t.charge); err == nil {
			if err = t.admit(); err == nil {
				release = t.release
				return s.decodePeerRequest(w, r, body, release)
			}
		}
		t.release()
	}
	if errors.Is(err, errBusy) || errors.Is(err, errClientBusy) || errors.Is(err, errClientBytes) {
		s.refuseCosign(w, r, err)
	} else {
		s.fail(w, r, err)
	}
	return nil, nil, nil, false
}

// decodePeerRequest decodes a peer request's body, or releases its admission and
// answers the error.
func (s *Server) decodePeerRequest(w http.ResponseWriter, r *http.Request, body []byte, release func()) (hashes []common.Hash, claim *RelayClaim, _ func(), ok bool) {
	var err error
	if hashes, claim, err = DecodePeerRequest(body); err != nil {
		release()
		s.fail(w, r, err)
		return nil, nil, nil, false
	}
	return hashes, claim, release, true
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
	hashes, claim, release, ok := s.peerRequest(w, r)
	if !ok {
		return
	}
	defer release()
	// Anyone may ask for a co-signature; the claim it carries counts only when the
	// backend authenticates it, and a refused one costs the asker nothing else.
	if rc, ok := s.backend.(RelayClaimer); ok && claim != nil {
		if err := rc.NoteRelayClaim(hashes, *claim); err != nil {
			s.log.Debug("relay claim with a co-signing request not taken", "err", err)
		}
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

// handleRelayClaim takes a peer oracle's relay claim: the node leaves the relaying
// of the named verdicts to it for a while (RelayClaimer). It costs one signature
// recovery and no store read; a claim the backend does not authenticate is refused
// (403) and has no effect.
func (s *Server) handleRelayClaim(w http.ResponseWriter, r *http.Request) {
	rc, ok := s.backend.(RelayClaimer)
	if !ok {
		writeError(w, http.StatusNotFound, "this node does not take relay claims", "")
		return
	}
	hashes, claim, release, ok := s.peerRequest(w, r)
	if !ok {
		return
	}
	defer release()
	err := badField("claim", "required")
	if claim != nil {
		err = rc.NoteRelayClaim(hashes, *claim)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// refuseCosign answers a co-signing request refused by an admission bound: 429
// for its client's (on requests or on bytes still arriving), 503 for the node's.
func (s *Server) refuseCosign(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errClientBytes):
		s.metrics.refused.WithLabelValues("cosign_receiving").Inc()
		refuse(w, r, http.StatusTooManyRequests, 1, "this client's co-signing request bodies still being received at its byte limit")
	case errors.Is(err, errClientBusy):
		s.metrics.refused.WithLabelValues("cosign_client").Inc()
		refuse(w, r, http.StatusTooManyRequests, 1, "this client's batch co-signing requests in flight at its limit")
	default:
		s.metrics.refused.WithLabelValues("cosign_busy").Inc()
		refuse(w, r, http.StatusServiceUnavailable, 1, "batch co-signing requests or their bytes in flight at the node's limit")
	}
}
