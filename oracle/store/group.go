package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// groupCommit gathers the hot paths' writes into shared commits. One committer
// goroutine runs while there is work: the first group waits Options.CommitDelay for
// company, and every later group is what arrived while the one before it was
// committing, however many that is (up to maxGroup). So under load the commits
// follow each other back to back, each as large as the load makes it, and a
// caller waits for at most the commit in progress and its own; bbolt's Batch
// instead starts a new group every delay, and those groups queue for the write
// lock one behind the other.
type groupCommit struct {
	mu      sync.Mutex
	pending []groupCall
	running bool // a committer goroutine is draining pending
}

type groupCall struct {
	fn  func(*bolt.Tx) error
	err chan error
}

// maxGroup bounds the functions one commit runs (bbolt's default MaxBatchSize).
const maxGroup = 1000

// errSolo tells a caller whose function failed in a group to run it again alone.
var errSolo = errors.New("grouped function failed: run it alone")

// commitGrouped runs fn in the next group commit and returns after that commit is on
// disk (or fn's own error, from running it alone).
func (s *Store) commitGrouped(fn func(*bolt.Tx) error) error {
	c := groupCall{fn: fn, err: make(chan error, 1)}
	g := &s.group
	g.mu.Lock()
	g.pending = append(g.pending, c)
	start := !g.running
	g.running = true
	g.mu.Unlock()
	if start {
		go s.commitGroups()
	}
	err := <-c.err
	if errors.Is(err, errSolo) {
		return s.update(fn)
	}
	return err
}

// commitGroups commits the pending calls, group after group, until none is left.
func (s *Store) commitGroups() {
	if s.commitDelay > 0 {
		time.Sleep(s.commitDelay)
	}
	g := &s.group
	for {
		g.mu.Lock()
		n := min(len(g.pending), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		calls := slices.Clone(g.pending[:n])
		g.pending = slices.Delete(g.pending, 0, n)
		g.mu.Unlock()
		s.commitGroup(calls)
	}
}

// commitGroup runs calls in one transaction and tells each the commit's outcome.
// When one fails, the transaction is rolled back, that caller runs its function
// again alone, and the others are run again together.
func (s *Store) commitGroup(calls []groupCall) {
	for len(calls) > 0 {
		failed := -1
		err := s.update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := safelyCall(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			calls[failed].err <- errSolo
			calls = slices.Delete(calls, failed, failed+1)
			continue
		}
		for _, c := range calls {
			c.err <- err
		}
		return
	}
}

// safelyCall runs fn, turning a panic into an error so one caller's bug fails its
// own call (it runs again alone, in its caller) instead of the committer and
// every other caller waiting on it.
func safelyCall(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: panic in a grouped write: %v (run again alone)", errSolo, p)
		}
	}()
	return fn(tx)
}
