package store

import (
	"bytes"
	"hash/maphash"
	"slices"
	"sync"
)

// decodedMax bounds the decoded submissions kept; a full cache starts afresh.
const decodedMax = 1 << 14

// decodeCache keeps decoded submissions by a hash of their stored value: the
// node's loops read the same waiting submissions again and again (the publisher on
// every pass), and decoding JSON is most of the cost of a read. A value decodes
// to the same submission whatever store or key it came from, so the cache needs
// no invalidation; the stored bytes are compared in full on a hit.
type decodeCache struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]decodedSub
}

type decodedSub struct {
	raw []byte
	sub Submission
}

var decoded = decodeCache{seed: maphash.MakeSeed()}

// submission is DecodeSubmission(raw), from the cache when raw was decoded before.
// The caller owns the result (its history is a copy).
func (c *decodeCache) submission(raw []byte) (Submission, error) {
	k := maphash.Bytes(c.seed, raw)
	c.mu.Lock()
	d, ok := c.m[k]
	c.mu.Unlock()
	if ok && bytes.Equal(d.raw, raw) {
		return d.sub.clone(), nil
	}
	sub, err := DecodeSubmission(raw)
	if err != nil {
		return sub, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= decodedMax {
		c.m = make(map[uint64]decodedSub)
	}
	c.m[k] = decodedSub{raw: bytes.Clone(raw), sub: sub.clone()}
	c.mu.Unlock()
	return sub, nil
}

// clone returns s with its own history and nonce.
func (s Submission) clone() Submission {
	s.History = slices.Clone(s.History)
	if s.TxNonce != nil {
		n := *s.TxNonce
		s.TxNonce = &n
	}
	return s
}
