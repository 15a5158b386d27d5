package store

import (
	"bytes"
	"container/heap"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// A deferred submission (Defer) is parked: its queue entry leaves its state's range
// for a parked range (the state's code with parkedBit set, then the same received-at
// and id, so the same place), whose value is the time it is due. Claim never walks
// the parked range: it learns which parked entries are due from an in-memory index
// by due time (parkIndex), so a claim costs the entries it takes or skips (leased
// ones) and the due parked ones, never the entries still put off.
const parkedBit = 0x80

// parkedKey is the queue key of sub while it is parked.
func parkedKey(sub *Submission) []byte {
	k := queueKey(sub)
	k[0] |= parkedBit
	return k
}

// parkedEntry is a parked queue key and when it is due (unix ns).
type parkedEntry struct {
	due int64
	key string
}

type dueHeap []parkedEntry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(parkedEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// parkIndex is the in-memory index of parked entries, per state code: those not
// due yet by due time, and those found due (claimable unless leased). It may hold
// entries that are gone from disk or parked again for later (a transition or a
// Defer since): each is checked against the bucket when it comes up, and dropped.
// Guarded by Store.claimMu.
type parkIndex struct {
	loaded  bool
	waiting map[byte]*dueHeap
	due     map[byte]map[string]bool
}

// park records that key (of state code code) is parked until due.
func (p *parkIndex) park(code byte, key string, due int64) {
	if !p.loaded {
		return // the whole index is read from disk on the next claim
	}
	delete(p.due[code], key)
	h := p.waiting[code]
	if h == nil {
		h = &dueHeap{}
		p.waiting[code] = h
	}
	heap.Push(h, parkedEntry{due: due, key: key})
}

// load reads every parked entry (once per process, or after ResetLeases).
func (p *parkIndex) load(q *bolt.Bucket) {
	p.loaded, p.waiting, p.due = true, map[byte]*dueHeap{}, map[byte]map[string]bool{}
	c := q.Cursor()
	for k, v := c.Seek([]byte{parkedBit}); k != nil; k, v = c.Next() {
		if len(v) == 8 && len(k) > 0 {
			p.park(k[0]&^parkedBit, string(k), int64(binary.BigEndian.Uint64(v)))
		}
	}
}

// dueNow moves the entries of state code that are due at now from waiting to due
// (checking each against the bucket), and returns the due set.
func (p *parkIndex) dueNow(q *bolt.Bucket, code byte, now int64) map[string]bool {
	if p.due[code] == nil {
		p.due[code] = map[string]bool{}
	}
	h := p.waiting[code]
	for h != nil && h.Len() > 0 && (*h)[0].due <= now {
		e := heap.Pop(h).(parkedEntry)
		if v := q.Get([]byte(e.key)); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) == e.due {
			p.due[code][e.key] = true
		}
	}
	return p.due[code]
}

// eachQueued calls fn with the queue key of every submission in the state of code
// (code without parkedBit), parked or not, oldest first.
func eachQueued(q *bolt.Bucket, code byte, fn func(k []byte) error) error {
	main, parked := q.Cursor(), q.Cursor()
	pm, pp := []byte{code}, []byte{code | parkedBit}
	km, _ := main.Seek(pm)
	kp, _ := parked.Seek(pp)
	for {
		inM, inP := km != nil && bytes.HasPrefix(km, pm), kp != nil && bytes.HasPrefix(kp, pp)
		switch {
		case !inM && !inP:
			return nil
		case inM && (!inP || bytes.Compare(km[1:], kp[1:]) <= 0):
			if err := fn(km); err != nil {
				return err
			}
			km, _ = main.Next()
		default:
			if err := fn(kp); err != nil {
				return err
			}
			kp, _ = parked.Next()
		}
	}
}
