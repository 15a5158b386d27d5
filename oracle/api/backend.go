// Package api is the oracle node's HTTP API for agents, providers, peers and
// auditors: challenges, evidence submission, submission status, verdicts and their
// signatures, the audit archive, machines due for re-attestation, health and
// metrics. It parses and bounds every request, turns bad input into 4xx JSON errors
// that name the field, and hands well-formed requests to a Backend (package
// service). docs/openapi.yaml documents every route.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Errors a Backend returns (wrapped) so the API can choose the status code. Anything
// else is a 500 whose message is logged, not shown.
var (
	// ErrNotFound: the requested record does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request conflicts with stored state, e.g. evidence submitted
	// before (409).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: a dependency (the chain) cannot answer now; retry later (503).
	ErrUnavailable = errors.New("temporarily unavailable")
)

// PublicError marks an error whose whole message a client may read: a condition of
// the node's own, worded from figures the node computed (the block its registry scan
// has reached, an anchor not yet possible), never an RPC endpoint's error, which
// names the endpoint. Wrapping ErrUnavailable, it is answered 503 with its message
// and Retry-After, and logged at debug level only: nothing is wrong with the node
// or the chain. Any other ErrUnavailable is answered a fixed text and logged as a
// warning.
type PublicError struct{ Err error }

func (e *PublicError) Error() string { return e.Err.Error() }
func (e *PublicError) Unwrap() error { return e.Err }

// TooManyError refuses a request for now by a bound the Backend keeps (429, with
// RetryAfter rounded up to whole seconds, at least 1, as Retry-After); Err says
// which bound.
type TooManyError struct {
	RetryAfter time.Duration
	Err        error
}

func (e *TooManyError) Error() string { return e.Err.Error() }
func (e *TooManyError) Unwrap() error { return e.Err }

// SubmissionConflict refuses a request for a stored submission it conflicts with
// (409, its id as the answer's "submission"): Err wraps ErrConflict and says why. A
// client whose earlier answer was lost polls that submission for the outcome.
type SubmissionConflict struct {
	Submission string
	Err        error
}

func (e *SubmissionConflict) Error() string { return e.Err.Error() }
func (e *SubmissionConflict) Unwrap() error { return e.Err }

// FieldError is a client error about one request field (400, or 422 for input that
// is well-formed but refused, such as a stale anchor).
type FieldError struct {
	Field string
	// Unprocessable selects 422 instead of 400.
	Unprocessable bool
	Err           error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Challenge is what an agent must bind its evidence to.
type Challenge struct {
	ChainID           uint64         `json:"chain_id"`
	Registry          common.Address `json:"registry"`
	MachineID         common.Hash    `json:"machine_id"`
	TEEKey            common.Address `json:"tee_key"`
	AnchorBlockNumber uint64         `json:"anchor_block_number"`
	AnchorBlockHash   common.Hash    `json:"anchor_block_hash"`
	// ReportData is the exact 64 bytes the evidence's report data must hold, hex.
	ReportData string `json:"report_data"`
	// ValidUntilBlock is the last block at which evidence bound to this anchor is
	// still accepted by this node.
	ValidUntilBlock uint64 `json:"valid_until_block"`
}

// SubmitRequest is a parsed evidence submission.
type SubmitRequest struct {
	MachineID   common.Hash
	TEEKey      common.Address
	AnchorBlock uint64
	// PoP is the TEE key's proof of possession: its 65-byte signature over the
	// possession digest of the challenge and Evidence (verdict.Binding.PossessionDigest).
	PoP      []byte
	Evidence *evidence.Evidence
	// Bundle is Evidence in the bundle form (what the archive stores).
	Bundle     []byte
	ReceivedAt time.Time
}

// SubmitResult is the acknowledgement of a stored submission.
type SubmitResult struct {
	ID           string      `json:"id"`
	EvidenceHash common.Hash `json:"evidence_hash"`
	State        string      `json:"state"`
	// Existing is set when the evidence had been submitted before with the same
	// parameters: the result is that submission's (HTTP 200 instead of 202).
	Existing bool `json:"-"`
}

// SubmissionView is a submission's status as the API shows it. Quorum is set while
// the node waits for peers' signatures.
type SubmissionView struct {
	ID           string      `json:"id"`
	MachineID    common.Hash `json:"machine_id"`
	EvidenceHash common.Hash `json:"evidence_hash"`
	State        string      `json:"state"`
	Reason       string      `json:"reason,omitempty"`
	// Waiting says why a received submission is not being appraised right now (a
	// collateral source is down) and when it will be tried again.
	Waiting     string          `json:"waiting,omitempty"`
	VerdictHash *common.Hash    `json:"verdict_hash,omitempty"`
	Trusted     *bool           `json:"trusted,omitempty"`
	Reasons     []string        `json:"reasons,omitempty"`
	TxHash      *common.Hash    `json:"tx_hash,omitempty"`
	ReceivedAt  time.Time       `json:"received_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	Quorum      *QuorumStatus   `json:"quorum,omitempty"`
	History     json.RawMessage `json:"history,omitempty"`
}

// QuorumStatus says how far a verdict is from its quorum.
type QuorumStatus struct {
	Threshold  int          `json:"threshold"`
	Signatures int          `json:"signatures"`
	Peers      []PeerStatus `json:"peers,omitempty"`
	// Disagreement is true when a peer reached a different verdict for the same
	// evidence: the nodes' policies or collateral differ.
	Disagreement bool `json:"disagreement"`
}

// PeerStatus is one peer's answer for a verdict.
type PeerStatus struct {
	URL    string `json:"url"`
	Status string `json:"status"` // "signed", "disagrees", "pending", "unreachable", "bad_signature", "not_an_oracle"
	Signer string `json:"signer,omitempty"`
	// VerdictHashes are the peer's verdicts for the same evidence when it disagrees.
	VerdictHashes []common.Hash `json:"verdict_hashes,omitempty"`
	Detail        string        `json:"detail,omitempty"`
}

// VerdictView is a verdict with every signature the node holds, enough for anyone
// to relay it with submitVerdict.
type VerdictView struct {
	Hash       common.Hash     `json:"hash"`
	Verdict    json.RawMessage `json:"verdict"`
	Signatures []SignatureView `json:"signatures"`
	// Audit names what the decision used, so an auditor can fetch it from the archive.
	Audit json.RawMessage `json:"audit,omitempty"`
}

// SignatureView is one oracle's signature over a verdict hash.
type SignatureView struct {
	Signer    common.Address `json:"signer"`
	Signature string         `json:"signature"` // 0x-hex, 65 bytes r||s||v
}

// DueMachine is a registered machine whose verdict expires soon (or has expired).
type DueMachine struct {
	MachineID common.Hash    `json:"machine_id"`
	TEEKey    common.Address `json:"tee_key"`
	Status    string         `json:"status"`
	ExpiresAt uint64         `json:"expires_at"`
	// SecondsLeft is negative once expired.
	SecondsLeft int64 `json:"seconds_left"`
}

// Archive kinds.
const (
	ArchiveEvidence   = "evidence"
	ArchiveCollateral = "collateral"
	ArchivePolicy     = "policy"
)

// Backend is what the API needs from the node.
type Backend interface {
	// Challenge returns the anchor and report data for a machine and key.
	Challenge(ctx context.Context, machineID common.Hash, teeKey common.Address) (*Challenge, error)
	// Submit stores the submission durably and returns only after the commit. It
	// does not commit once ctx is done (the client is gone). Evidence submitted
	// before with the same parameters returns the earlier submission, Existing set.
	Submit(ctx context.Context, req *SubmitRequest) (*SubmitResult, error)
	// Submission returns a submission's status.
	Submission(ctx context.Context, id string) (*SubmissionView, error)
	// Verdict returns a verdict and its signatures.
	Verdict(ctx context.Context, hash common.Hash) (*VerdictView, error)
	// Signature returns this node's own signature over a verdict hash.
	Signature(ctx context.Context, hash common.Hash) (*SignatureView, error)
	// EvidenceVerdicts returns the verdict hashes this node reached for evidence.
	EvidenceVerdicts(ctx context.Context, evidenceHash common.Hash) ([]common.Hash, error)
	// Archive returns archived content of a kind by hash.
	Archive(ctx context.Context, kind string, hash common.Hash) ([]byte, error)
	// Due returns machines whose verdict expires within the node's due window, by
	// ExpiresAt then MachineID ascending (the API pages it by that order). The
	// slice may be shared between calls: callers do not modify it.
	Due(ctx context.Context) ([]DueMachine, error)
	// Ready reports whether the node can serve submissions (store open, chain
	// reachable). /readyz answers a PublicError's message, and for any other error a
	// fixed text, logging the error.
	Ready(ctx context.Context) error
}
