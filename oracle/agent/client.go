package agent

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
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/api"
)

// Oracle is what the agent needs from an oracle node: a challenge, evidence
// submission, the submission's status and the verdict. HTTPOracle implements it over
// the node's HTTP API (docs/openapi.yaml); tests may pass the node in-process.
type Oracle interface {
	Challenge(ctx context.Context, machineID common.Hash, teeKey common.Address) (*api.Challenge, error)
	Submit(ctx context.Context, machineID common.Hash, teeKey common.Address, anchorBlock uint64, pop, bundle []byte) (*api.SubmitResult, error)
	Submission(ctx context.Context, id string) (*api.SubmissionView, error)
	Verdict(ctx context.Context, hash common.Hash) (*api.VerdictView, error)
}

// HTTPError is a non-2xx answer of the oracle's API.
type HTTPError struct {
	Op      string
	Status  int
	Message string
	Field   string
	// Submission is the stored submission a 409 names as the one this request
	// conflicts with ("" when it names none).
	Submission string
	// RetryAfter is the wait the node asked for (its Retry-After header, in
	// seconds); 0 when it named none.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("oracle %s: HTTP %d", e.Op, e.Status)
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Temporary reports whether retrying the same request later may succeed: server
// errors, 408 and 429. Other 4xx mean this request is wrong.
func (e *HTTPError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
}

// HTTPOracle is the oracle node's HTTP API as an Oracle.
type HTTPOracle struct {
	base   *url.URL
	client *http.Client
}

// maxResponse bounds what the agent reads from the oracle.
const maxResponse = 4 << 20

// NewHTTPOracle returns a client of the node at baseURL (http or https, with a
// user and password if a proxy in front of the node wants them). A query or
// fragment is refused: the client sets its own query on every request. A nil
// client means one with a 30 s timeout. Its errors never quote the password.
func NewHTTPOracle(baseURL string, client *http.Client) (*HTTPOracle, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := "(unparsable)"
		if err == nil {
			shown = fmt.Sprintf("%q", u.Redacted())
		}
		return nil, fmt.Errorf("oracle url %s: want http(s)://host[:port][/path]", shown)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawFragment != "" {
		return nil, fmt.Errorf("oracle url %s://%s%s: a query or fragment is not allowed (the agent sets its own query on each request)",
			u.Scheme, u.Host, u.EscapedPath())
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &HTTPOracle{base: u, client: client}, nil
}

// URL returns the node's base URL for showing, its password (if any) as "xxxxx".
func (o *HTTPOracle) URL() string { return o.base.Redacted() }

func (o *HTTPOracle) do(ctx context.Context, op, method, path string, q url.Values, body []byte, contentType string, out any) error {
	u := *o.base
	u.Path += path
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("oracle %s: %w", op, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.client.Do(req)
	if err != nil {
		return fmt.Errorf("oracle %s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("oracle %s: read response: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		he := &HTTPError{Op: op, Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
		var eb struct {
			Error      string `json:"error"`
			Field      string `json:"field"`
			Submission string `json:"submission"`
		}
		if json.Unmarshal(b, &eb) == nil {
			he.Message, he.Field = clip(eb.Error, maxNodeText), clip(eb.Field, maxNodeName)
			he.Submission = clip(eb.Submission, maxNodeName)
		}
		return he
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("oracle %s: %w: %w", op, ErrResponse, err)
	}
	return nil
}

// ErrResponse: the node answered 2xx with a body that does not decode. Asking the
// same again is not expected to help, so it is not temporary.
var ErrResponse = errors.New("malformed response")

// maxRetryAfter bounds the Retry-After the agent honours; a round ends after its
// timeout anyway.
const maxRetryAfter = 10 * time.Minute

// retryAfter reads a Retry-After header's seconds (an HTTP date or garbage counts
// as none), at most maxRetryAfter.
func retryAfter(h string) time.Duration {
	n, err := strconv.ParseUint(strings.TrimSpace(h), 10, 32)
	if err != nil {
		return 0
	}
	return min(time.Duration(n)*time.Second, maxRetryAfter)
}

// Challenge asks GET /v1/challenge.
func (o *HTTPOracle) Challenge(ctx context.Context, machineID common.Hash, teeKey common.Address) (*api.Challenge, error) {
	var ch api.Challenge
	q := url.Values{"machine_id": {machineID.Hex()}, "tee_key": {teeKey.Hex()}}
	if err := o.do(ctx, "challenge", http.MethodGet, "/v1/challenge", q, nil, "", &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// Submit posts an evidence bundle to POST /v1/evidence with the key's proof of
// possession (verdict.SignPossession).
func (o *HTTPOracle) Submit(ctx context.Context, machineID common.Hash, teeKey common.Address, anchorBlock uint64, pop, bundle []byte) (*api.SubmitResult, error) {
	var res api.SubmitResult
	q := url.Values{"machine_id": {machineID.Hex()}, "tee_key": {teeKey.Hex()}, "anchor_block": {strconv.FormatUint(anchorBlock, 10)},
		"pop": {hexutil.Encode(pop)}}
	if err := o.do(ctx, "submit evidence", http.MethodPost, "/v1/evidence", q, bundle, "application/json", &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Submission reads GET /v1/submissions/{id}.
func (o *HTTPOracle) Submission(ctx context.Context, id string) (*api.SubmissionView, error) {
	var v api.SubmissionView
	if err := o.do(ctx, "submission status", http.MethodGet, "/v1/submissions/"+url.PathEscape(id), nil, nil, "", &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// Verdict reads GET /v1/verdicts/{hash}.
func (o *HTTPOracle) Verdict(ctx context.Context, hash common.Hash) (*api.VerdictView, error) {
	var v api.VerdictView
	if err := o.do(ctx, "verdict", http.MethodGet, "/v1/verdicts/"+hash.Hex(), nil, nil, "", &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// isTemporary reports whether err is worth retrying as is (network errors and
// temporary HTTP answers); a permanent HTTP error needs a new challenge, and a
// malformed answer (ErrResponse) ends the round.
func isTemporary(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Temporary()
	}
	return !errors.Is(err, ErrResponse)
}

// Bounds of what a node's words may take in the agent's errors and logs (so that
// an error of a round, logged every round, stays under 1 KiB): a message or
// reason, a name (field, state, submission id, policy reason), and how many
// reason names are kept.
const (
	maxNodeText  = 384
	maxNodeName  = 48
	maxNodeNames = 8
)

// clip returns s cut to at most n bytes at a character boundary, saying how long
// it was when it was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes)", len(s))
}

// clipNames keeps the first maxNodeNames names, each clipped, and counts the rest.
func clipNames(names []string) []string {
	out := make([]string, 0, min(len(names), maxNodeNames+1))
	for i, n := range names {
		if i == maxNodeNames {
			out = append(out, fmt.Sprintf("and %d more", len(names)-i))
			break
		}
		out = append(out, clip(n, maxNodeName))
	}
	return out
}

// clipView bounds the node's words in a submission's status.
func clipView(v *api.SubmissionView) {
	v.ID, v.State = clip(v.ID, maxNodeName), clip(v.State, maxNodeName)
	v.Reason, v.Waiting = clip(v.Reason, maxNodeText), clip(v.Waiting, maxNodeText)
	if v.Reasons != nil {
		v.Reasons = clipNames(v.Reasons)
	}
}
