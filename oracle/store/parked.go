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

// keyHeap is parked queue keys of one state, oldest first (queue order).
type keyHeap []string

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h keyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *keyHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// parkIndex is the in-memory index of parked entries, per state code: those not
// due yet by due time (waiting), those found due in queue order (due: claimable
// unless leased), and those Claim leased by lease end (leased; parkedEntry.due is
// the lease's end), which go back to due when their lease ends. A claim takes the
// front of due, so draining n due entries costs about n visits, not n²/2. The index
// may hold entries that are gone from disk, parked again for later, leased, or
// twice (a transition or a Defer since): each is checked against the bucket and
// the leases when it comes to the front, and dropped. Guarded by Store.claimMu.
type parkIndex struct {
	loaded  bool
	waiting map[byte]*dueHeap
	due     map[byte]*keyHeap
	leased  map[byte]*dueHeap
}

// park records that key (of state code code) is parked until due.
func (p *parkIndex) park(code byte, key string, due int64) {
	if !p.loaded {
		return // the whole index is read from disk on the next claim
	}
	pushDue(p.waiting, code, parkedEntry{due: due, key: key})
}

func pushDue(m map[byte]*dueHeap, code byte, e parkedEntry) {
	h := m[code]
	if h == nil {
		h = &dueHeap{}
		m[code] = h
	}
	heap.Push(h, e)
}

// load reads every parked entry (once per process, or after ResetLeases).
func (p *parkIndex) load(q *bolt.Bucket) {
	p.loaded, p.waiting, p.due, p.leased = true, map[byte]*dueHeap{}, map[byte]*keyHeap{}, map[byte]*dueHeap{}
	c := q.Cursor()
	for k, v := c.Seek([]byte{parkedBit}); k != nil; k, v = c.Next() {
		if len(v) == 8 && len(k) > 0 {
			p.park(k[0]&^parkedBit, string(k), int64(binary.BigEndian.Uint64(v)))
		}
	}
}

// front returns the oldest parked entry of state code that is due at now and not
// leased (claims: the leases, by key), or "". It first moves the entries that came
// due, and those whose lease ended, to the due heap; visit is called for each entry
// looked at.
func (p *parkIndex) front(q *bolt.Bucket, code byte, now int64, claims map[string]int64, visit func()) string {
	dh := p.due[code]
	if dh == nil {
		dh = &keyHeap{}
		p.due[code] = dh
	}
	for h := p.waiting[code]; h != nil && h.Len() > 0 && (*h)[0].due <= now; {
		e := heap.Pop(h).(parkedEntry)
		visit()
		if v := q.Get([]byte(e.key)); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) == e.due {
			heap.Push(dh, e.key)
		}
	}
	for h := p.leased[code]; h != nil && h.Len() > 0 && (*h)[0].due <= now; {
		e := heap.Pop(h).(parkedEntry)
		visit()
		if until, ok := claims[e.key]; ok && until != e.due {
			continue // leased again since: a later entry stands for that lease
		}
		heap.Push(dh, e.key)
	}
	for dh.Len() > 0 {
		k := (*dh)[0]
		visit()
		v := q.Get([]byte(k))
		if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) > now {
			heap.Pop(dh) // gone (a transition), or parked again for later
			continue
		}
		if until, ok := claims[k]; ok && until > now {
			heap.Pop(dh) // leased: in leased already (a second copy)
			continue
		}
		return k
	}
	return ""
}

// take removes key, the front of state code's due entries, and records it leased
// until `until`.
func (p *parkIndex) take(code byte, key string, until int64) {
	if dh := p.due[code]; dh != nil && dh.Len() > 0 && (*dh)[0] == key {
		heap.Pop(dh)
	}
	pushDue(p.leased, code, parkedEntry{due: until, key: key})
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
