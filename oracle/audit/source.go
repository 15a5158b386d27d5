package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/retry"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// Source is where an audit reads the archive from.
type Source interface {
	// Verdict returns a verdict's JSON and its audit record's JSON (empty when the
	// archive holds the verdict without a record).
	Verdict(ctx context.Context, h common.Hash) (body, record []byte, err error)
	// Archive returns archived content of a kind (api.ArchiveEvidence,
	// api.ArchivePolicy, api.ArchiveCollateral) by hash.
	Archive(ctx context.Context, kind string, h common.Hash) ([]byte, error)
}

// Damaged reports whether a source's error says the archive holds content that is
// not what it is filed under (the database re-hashes on every read).
func Damaged(err error) bool {
	return errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrHashMismatch)
}

// ErrNotFound: the node answered 404, it has no such verdict or archived content.
var ErrNotFound = errors.New("not found on the node")

// Missing reports whether a source's error says it does not hold what was asked
// for (a node's 404, or not in the database).
func Missing(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, store.ErrNotFound)
}

// NodeSource reads the archive from a node's HTTP API.
type NodeSource struct {
	base   string
	client *http.Client
	// maxRetryAfter is the longest Retry-After a 429 or 503 answer may ask for and
	// still be waited out; retryBudget bounds the whole wait of one request.
	maxRetryAfter time.Duration
	retryBudget   time.Duration
	// sleep waits between attempts; nil means a timer under the context (tests
	// replace it to see the waits without taking them).
	sleep func(ctx context.Context, d time.Duration) error
}

// DefaultMaxRetryAfter is the longest Retry-After a NodeSource waits out unless
// MaxRetryAfter says otherwise.
const DefaultMaxRetryAfter = time.Minute

// Limits on what a NodeSource reads from a node's answers.
const (
	// MaxArchiveBody is the largest successful answer (a verdict, archived
	// evidence, policy or collateral) read; a larger one is an error.
	MaxArchiveBody = 16 << 20
	// MaxErrorBody is how much of an error answer's body is read and quoted in
	// the error, after control characters and invalid UTF-8 are replaced.
	MaxErrorBody = 512
)

// NodeOption configures a NodeSource.
type NodeOption func(*NodeSource)

// MaxRetryAfter sets the longest wait a node's Retry-After (on 429 or 503) is
// honoured for (default DefaultMaxRetryAfter). A node asking for more gets an
// error naming the wait instead, as does one asking for more time than the
// request's context has left. The whole wait of one request is bounded by this
// plus 30 seconds. Zero or negative means the default.
func MaxRetryAfter(d time.Duration) NodeOption {
	return func(n *NodeSource) {
		if d > 0 {
			n.maxRetryAfter = d
		}
	}
}

// NewNodeSource returns a source for the node API at base (scheme, host, port).
// A nil client means one with a 30-second timeout.
func NewNodeSource(base string, client *http.Client, opts ...NodeOption) *NodeSource {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	n := &NodeSource{base: strings.TrimRight(base, "/"), client: client, maxRetryAfter: DefaultMaxRetryAfter}
	for _, o := range opts {
		o(n)
	}
	n.retryBudget = n.maxRetryAfter + 30*time.Second
	return n
}

// Verdict implements Source.
func (n *NodeSource) Verdict(ctx context.Context, h common.Hash) ([]byte, []byte, error) {
	b, err := n.get(ctx, "/v1/verdicts/"+h.String())
	if err != nil {
		return nil, nil, err
	}
	var v api.VerdictView
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, nil, fmt.Errorf("verdict %s from %s: %w", h, n.base, err)
	}
	return v.Verdict, v.Audit, nil
}

// Archive implements Source.
//
// Evidence from a node is held to the API's submission bounds (evidence.Decode):
// the audit re-verifies it with evidence.DecodeArchived, which trusts what a store
// holds, and a node under audit must not make the auditor chain-verify thousands of
// certificates. Evidence over the bounds is an error (an archive written before
// them is audited from the store file); evidence that does not decode is returned,
// for the audit to report as a damaged archive.
func (n *NodeSource) Archive(ctx context.Context, kind string, h common.Hash) ([]byte, error) {
	b, err := n.get(ctx, "/v1/archive/"+kind+"/"+h.String())
	if err == nil && kind == api.ArchiveEvidence {
		if _, derr := evidence.Decode("evidence", b); errors.Is(derr, evidence.ErrTooLarge) {
			return nil, fmt.Errorf("archived evidence %s from %s is over the submission bounds (audit the node's store file instead): %w", h, n.base, derr)
		}
	}
	return b, err
}

// get fetches path, waiting out 429 and 503 answers (as long as the node's
// Retry-After asks, up to maxRetryAfter; at least a growing back-off) within the
// retry budget and the context.
func (n *NodeSource) get(ctx context.Context, path string) ([]byte, error) {
	p := retry.Policy{Initial: 250 * time.Millisecond, Max: 4 * time.Second, MaxElapsed: n.retryBudget, Sleep: n.sleep}
	b, err := retry.DoValue(ctx, p, func(ctx context.Context) ([]byte, error) {
		b, code, retryAfter, err := n.getOnce(ctx, path)
		if err != nil {
			return nil, retry.Permanent(err)
		}
		if code == http.StatusOK {
			return b, nil
		}
		err = fmt.Errorf("GET %s%s: HTTP %d: %s", n.base, path, code, b)
		if code == http.StatusNotFound {
			return nil, retry.Permanent(fmt.Errorf("%w (%w)", err, ErrNotFound))
		}
		if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
			return nil, retry.Permanent(err)
		}
		if retryAfter > n.maxRetryAfter {
			return nil, retry.Permanent(fmt.Errorf("%w; the node asks to retry after %s, longer than the %s this source waits (MaxRetryAfter)",
				err, retryAfter, n.maxRetryAfter))
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(retryAfter).After(dl) {
			return nil, retry.Permanent(fmt.Errorf("%w; the node asks to retry after %s, past the request's deadline (%s left)",
				err, retryAfter, time.Until(dl).Round(time.Millisecond)))
		}
		return nil, retry.After(err, retryAfter)
	})
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("GET %s%s: %w", n.base, path, context.Cause(ctx))
	}
	return b, err
}

// getOnce makes one request. A successful answer's body is read up to
// MaxArchiveBody (more is an error); an error answer's up to MaxErrorBody,
// sanitised for quoting.
func (n *NodeSource) getOnce(ctx context.Context, path string) ([]byte, int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.base+path, nil)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("node %s: %w", n.base, err)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("node %s: %w", n.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, err := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody+1))
		if err != nil {
			return nil, 0, 0, fmt.Errorf("GET %s%s: HTTP %d: %w", n.base, path, resp.StatusCode, err)
		}
		return quoteBody(b), resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxArchiveBody+1))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("GET %s%s: %w", n.base, path, err)
	}
	if len(b) > MaxArchiveBody {
		return nil, 0, 0, fmt.Errorf("GET %s%s: answer larger than %d bytes", n.base, path, MaxArchiveBody)
	}
	return b, resp.StatusCode, 0, nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date (RFC 9110
// 10.2.3). Absent, malformed or in the past means no wait asked (0).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(math.MaxInt64/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// quoteBody makes up to MaxErrorBody bytes of an error answer safe to put in an
// error message: invalid UTF-8 and control characters (newlines included) become
// U+FFFD, and a longer body is cut with a note.
func quoteBody(b []byte) []byte {
	cut := len(b) > MaxErrorBody
	if cut {
		b = b[:MaxErrorBody]
	}
	s := strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(string(b), "\uFFFD"))
	s = strings.TrimSpace(s)
	if cut {
		s += fmt.Sprintf(" [cut at %d bytes]", MaxErrorBody)
	}
	return []byte(s)
}

// OpenSource opens the archive an audit reads: the API of the node at base URL
// node when it is given, else the node database file db (opened with opts; the file
// is locked while the node runs). The store is returned too, to be closed and for
// LatestVerdict; it is nil for a node's API.
func OpenSource(node, db string, opts store.Options) (Source, *store.Store, error) {
	if node != "" {
		return NewNodeSource(node, nil), nil, nil
	}
	st, err := store.Open(db, opts)
	if err != nil {
		return nil, nil, err
	}
	return StoreSource{St: st}, st, nil
}

// StoreSource reads the archive from a node's database.
type StoreSource struct{ St *store.Store }

// Verdict implements Source.
func (d StoreSource) Verdict(_ context.Context, h common.Hash) ([]byte, []byte, error) {
	v, err := d.St.Verdict(h)
	if err != nil {
		return nil, nil, err
	}
	a, err := d.St.Meta(RecordKey(h))
	if errors.Is(err, store.ErrNotFound) {
		return v.Body, nil, nil // a verdict without its record: Reproduce reports it
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit record of %s: %w", h, err)
	}
	return v.Body, a, nil
}

// Archive implements Source.
func (d StoreSource) Archive(_ context.Context, kind string, h common.Hash) ([]byte, error) {
	switch kind {
	case api.ArchiveEvidence:
		return d.St.Evidence(h)
	case api.ArchivePolicy:
		return d.St.Policy(h)
	default:
		return d.St.Collateral(h)
	}
}

// RecordKey is the store meta key a verdict's audit record is kept under.
func RecordKey(h common.Hash) string { return "audit/" + h.String() }
