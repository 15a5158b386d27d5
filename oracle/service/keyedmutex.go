package service

import (
	"sync"

	"github.com/ethereum/go-ethereum/common"
)

// keyedMutex is a mutex per key: holders of different keys do not wait for each
// other. The zero value is ready to use.
type keyedMutex struct {
	mu   sync.Mutex
	held map[common.Hash]*keyLock
}

type keyLock struct {
	mu    sync.Mutex
	users int // holders and waiters
}

// Lock locks key.
func (k *keyedMutex) Lock(key common.Hash) {
	k.mu.Lock()
	if k.held == nil {
		k.held = map[common.Hash]*keyLock{}
	}
	l := k.held[key]
	if l == nil {
		l = &keyLock{}
		k.held[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.mu.Lock()
}

// Unlock unlocks key, which must be locked.
func (k *keyedMutex) Unlock(key common.Hash) {
	k.mu.Lock()
	l := k.held[key]
	l.users--
	if l.users == 0 {
		delete(k.held, key)
	}
	k.mu.Unlock()
	l.mu.Unlock()
}
