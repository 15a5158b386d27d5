//go:build !(js && wasm)

package collateral

import (
	"container/list"
	"fmt"
	"time"
)

// The bounds on 4xx answers (Options.UnknownBudget, the ceiling, and
// Options.UnknownShare, each requester's share) count charges over a sliding
// window of negTTL: a charge counts from the moment it was made until negTTL
// later, so no span of negTTL holds more than the ceiling's answers (a fixed window
// would let twice as many through across its boundary). A charge is made when a key
// the cache never held is about to be fetched, and returned unless the source
// answers 4xx; a key it holds that is answered 4xx is charged without the check
// (those are the few keys that go stale, the CRLs, TCB Info and QE Identity, which
// a requester does not choose).
//
// The charges of the window are a list, oldest first: at most the ceiling's
// (fetches under way count against it), plus those of held keys. A requester is
// known only while it has a charge in the list, so the requesters known are no
// more than the charges.

// charge is one 4xx answer (or fetch under way) counted against the bounds.
type charge struct {
	at        time.Time
	requester string // "": Get, counted against the ceiling only
	live      bool   // still counted: not expired nor returned
}

// reserve charges requester for a fetch of a key the cache never held, or says
// (ErrUnavailable) which bound is reached and until when.
func (c *Cache) reserve(requester string) (*list.Element, error) {
	c.negMu.Lock()
	defer c.negMu.Unlock()
	now := c.now()
	c.expire(now)
	if n := c.byRequester[requester]; requester != "" && n >= c.unknownShare {
		return nil, fmt.Errorf("%w: requester %s had %d keys never fetched answered 4xx within the last %s, its share; it may ask for another at %s",
			ErrUnavailable, requester, n, c.negTTL, c.freeAt(requester).UTC().Format(time.RFC3339))
	}
	if n := c.charges.Len(); n >= c.unknownBudget {
		return nil, fmt.Errorf("%w: %d keys never fetched were answered 4xx (or are being fetched) within the last %s, the ceiling for all requesters; another may be asked for at %s",
			ErrUnavailable, n, c.negTTL, c.freeAt("").UTC().Format(time.RFC3339))
	}
	return c.push(now, requester), nil
}

// settle keeps or returns the charge reserve made (el, nil for a key the cache
// held): charged says the source answered that fetch 4xx. A held key answered 4xx
// is charged now.
func (c *Cache) settle(requester string, el *list.Element, charged bool) {
	c.negMu.Lock()
	defer c.negMu.Unlock()
	switch {
	case el != nil && !charged:
		c.drop4xx(el)
	case el == nil && charged:
		now := c.now()
		c.expire(now)
		c.push(now, requester)
	}
}

func (c *Cache) push(now time.Time, requester string) *list.Element {
	if requester != "" {
		c.byRequester[requester]++
	}
	return c.charges.PushBack(&charge{at: now, requester: requester, live: true})
}

// drop4xx uncounts a charge (expired or returned); a requester with none left is
// forgotten. negMu is held.
func (c *Cache) drop4xx(el *list.Element) {
	ch := el.Value.(*charge)
	if !ch.live {
		return
	}
	ch.live = false
	c.charges.Remove(el)
	if ch.requester == "" {
		return
	}
	if c.byRequester[ch.requester]--; c.byRequester[ch.requester] <= 0 {
		delete(c.byRequester, ch.requester)
	}
}

// expire uncounts the charges made negTTL or longer before now; negMu is held.
func (c *Cache) expire(now time.Time) {
	for el := c.charges.Front(); el != nil; el = c.charges.Front() {
		if now.Before(el.Value.(*charge).at.Add(c.negTTL)) {
			return
		}
		c.drop4xx(el)
	}
}

// freeAt is when the oldest charge of requester ("": of anyone) leaves the window;
// negMu is held.
func (c *Cache) freeAt(requester string) time.Time {
	for el := c.charges.Front(); el != nil; el = el.Next() {
		if ch := el.Value.(*charge); requester == "" || ch.requester == requester {
			return ch.at.Add(c.negTTL)
		}
	}
	return c.now()
}
