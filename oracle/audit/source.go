package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/retry"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// Source is where an audit reads the archive from.
type Source interface {
	// Verdict returns a verdict's JSON and its audit record's JSON.
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

// NodeSource reads the archive from a node's HTTP API.
type NodeSource struct {
	base   string
	client *http.Client
	// retryBudget bounds how long a request waits out a node that answers 429 (rate
	// limited: an audit makes several requests in a row) or 503.
	retryBudget time.Duration
}

// NewNodeSource returns a source for the node API at base (scheme, host, port).
// A nil client means one with a 30-second timeout.
func NewNodeSource(base string, client *http.Client) *NodeSource {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &NodeSource{base: strings.TrimRight(base, "/"), client: client, retryBudget: 30 * time.Second}
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
func (n *NodeSource) Archive(ctx context.Context, kind string, h common.Hash) ([]byte, error) {
	return n.get(ctx, "/v1/archive/"+kind+"/"+h.String())
}

// get fetches path, waiting out 429 and 503 answers (as long as the node's
// Retry-After asks, at least a growing back-off) within the retry budget.
func (n *NodeSource) get(ctx context.Context, path string) ([]byte, error) {
	p := retry.Policy{Initial: 250 * time.Millisecond, Max: 4 * time.Second, MaxElapsed: n.retryBudget}
	b, err := retry.DoValue(ctx, p, func(ctx context.Context) ([]byte, error) {
		b, code, retryAfter, err := n.getOnce(ctx, path)
		if err != nil {
			return nil, retry.Permanent(err)
		}
		if code == http.StatusOK {
			return b, nil
		}
		err = fmt.Errorf("GET %s%s: HTTP %d: %s", n.base, path, code, b)
		if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
			return nil, retry.Permanent(err)
		}
		return nil, retry.After(err, retryAfter)
	})
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("GET %s%s: %w", n.base, path, context.Cause(ctx))
	}
	return b, err
}

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
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("GET %s%s: %w", n.base, path, err)
	}
	var after time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 && s <= 10 {
		after = time.Duration(s) * time.Second
	}
	return b, resp.StatusCode, after, nil
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
