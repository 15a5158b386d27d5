package appraise

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// tdxCache maps the SHA-256 of verified bytes to what verifying them produced. It
// holds at most max entries and is emptied when full: the working set (a few PCK
// chains per platform, one collateral set per FMSPC) is small, and dropping
// everything is simpler than LRU bookkeeping on the hot path.
type tdxCache[V any] struct {
	mu  sync.RWMutex
	max int
	m   map[[32]byte]V
}

func newTDXCache[V any](max int) *tdxCache[V] {
	return &tdxCache[V]{max: max, m: make(map[[32]byte]V)}
}

// get and put on a nil cache (an appraiser without caches) find and keep nothing.
func (c *tdxCache[V]) get(k [32]byte) (V, bool) {
	if c == nil {
		var zero V
		return zero, false
	}
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *tdxCache[V]) put(k [32]byte, v V) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// tdxUnmarshalJSON decodes one JSON value and rejects trailing data, so the object
// whose signature was checked is exactly the object interpreted.
func tdxUnmarshalJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	// Only white space may follow: Token finds anything else, including a closing
	// '}' or ']' that More would report as the end of a value.
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingJSON
	}
	return nil
}

var errTrailingJSON = jsonError("trailing data after the JSON value")

type jsonError string

func (e jsonError) Error() string { return string(e) }
