//go:build !(js && wasm)

// Package collateral fetches attestation collateral (AMD KDS certificates and CRLs,
// Intel PCS TCB Info, QE Identity and CRLs) and keeps it in a content-addressed cache
// on disk, so that verification can run offline and any past appraisal can be
// reproduced from the collateral it used.
//
// The Cache is the shared core: items are stored by key (the URL they came from) and
// by the SHA-256 of their bytes; a key may hold several versions (successive CRLs),
// and Get picks the one valid as of the time asked for. Staleness reads no clock:
// every question about it is asked "as of" a time the caller passes (only the bounds
// on 4xx answers, Options.Now, read one).
package collateral

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Errors of the cache. Offline misses wrap both ErrOffline and ErrNotCached.
var (
	// ErrNotCached: the cache holds no version of the key valid as of the time asked.
	ErrNotCached = errors.New("collateral not cached")
	// ErrOffline: the cache may not fetch (offline mode, or no Fetcher).
	ErrOffline = errors.New("collateral cache is offline")
	// ErrCorrupt: a stored blob does not match its hash.
	ErrCorrupt = errors.New("collateral cache entry corrupt")
)

// Fetcher fetches one URL. HTTPFetcher is the network implementation; tests use an
// httptest server or a local map.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (*Response, error)
}

// Response is a fetched body with the response headers that matter for collateral
// (Intel PCS serves issuer chains in headers).
type Response struct {
	Header http.Header
	Body   []byte
}

// ValidityFunc tells when a collateral item was issued and when it goes stale, from
// its bytes. Zero times mean unknown issue time and never stale (certificates, which
// carry their own validity that the appraisal checks).
type ValidityFunc func(key string, body []byte, header http.Header) (issuedAt, nextUpdate time.Time, err error)

// Options configures a Cache.
type Options struct {
	// Dir is where the cache lives on disk. Empty means memory only.
	Dir string
	// Fetcher fetches missing or stale items. Nil means the cache is offline.
	Fetcher Fetcher
	// Offline forbids fetching even when Fetcher is set: only cached items are served.
	Offline bool
	// Validity reads an item's issue and next-update times. Nil means
	// CollateralValidity, which knows X.509 CRLs (DER or PEM) and Intel's signed TCB
	// Info and QE Identity, and treats everything else (certificates) as never stale.
	Validity ValidityFunc
	// Logger receives debug and warning logs. Nil means slog.Default().
	Logger *slog.Logger

	// Bounds on what keys a caller controls can cost (docs/collateral.md). A VCEK
	// URL is made from a report's CHIP_ID and TCB before the report's signature is
	// checked, so a submitter chooses it. Zero means the default.

	// MaxVCEKs bounds the VCEK and VLEK keys held (memory and disk); beyond it the
	// least recently used is dropped. Default DefaultMaxVCEKs.
	MaxVCEKs int
	// NegativeTTL is how long a 4xx answer (other than 429) for a key is served
	// again instead of asking the source. Default DefaultNegativeTTL.
	NegativeTTL time.Duration
	// MaxNegative bounds the 4xx answers remembered; beyond it the oldest is
	// forgotten. Default DefaultMaxNegative.
	MaxNegative int
	// UnknownBudget bounds the 4xx answers taken from the sources within any
	// NegativeTTL (a sliding window: each answer counts from the moment it was asked
	// for until NegativeTTL later), whoever asked: the ceiling over all requesters.
	// A fetch of a key the cache has never held counts while it is under way, so
	// concurrent fetches cannot overshoot. Once the ceiling is reached, such a key
	// is not fetched until the oldest answer counted leaves the window: Get fails
	// with ErrUnavailable, so the appraisal is put off, not decided. Keys it holds
	// are served and refreshed as usual. Default DefaultUnknownBudget.
	UnknownBudget int
	// UnknownShare bounds the 4xx answers one requester (GetFor's requester: the
	// node passes the submission's machine id) takes within any NegativeTTL, the
	// same way, so that a requester that names keys the source does not know uses
	// up its own share and not the others': their keys are still fetched while the
	// ceiling (UnknownBudget) is not reached. Get, with no requester, is bounded by
	// the ceiling only. Default DefaultUnknownShare.
	UnknownShare int
	// Now is the clock of the negative cache and the budget window (never of
	// collateral validity, which is always asked as of a given time). Nil means
	// time.Now.
	Now func() time.Time
}

// Defaults of the Options bounds.
const (
	DefaultMaxVCEKs      = 16384
	DefaultNegativeTTL   = 10 * time.Minute
	DefaultMaxNegative   = 4096
	DefaultUnknownBudget = 256
	DefaultUnknownShare  = 8
)

// Entry is one stored version of a collateral item. Entries are immutable; Body must
// not be modified.
type Entry struct {
	Key        string
	Body       []byte
	Header     http.Header
	Hash       [32]byte
	IssuedAt   time.Time // zero: unknown
	NextUpdate time.Time // zero: never stale
}

// ValidAt reports whether the entry may be used as of t: issued no later than t (when
// known) and not yet past its next update (when it has one).
func (e *Entry) ValidAt(t time.Time) bool {
	if !e.IssuedAt.IsZero() && t.Before(e.IssuedAt) {
		return false
	}
	return e.NextUpdate.IsZero() || t.Before(e.NextUpdate)
}

// Cache is a content-addressed collateral cache. It is safe for concurrent use, and
// concurrent Gets of the same key share one fetch.
type Cache struct {
	dir      string
	fetcher  Fetcher
	offline  bool
	validity ValidityFunc
	log      *slog.Logger
	group    singleflight.Group

	mu     sync.RWMutex
	byKey  map[string][]*Entry
	byHash map[[32]byte]*Entry
	refs   map[[32]byte]int // versions (of any key) with that hash

	maxVCEKs int
	lruMu    sync.Mutex
	vcekLRU  *list.List // of VCEK keys, most recently used at the front
	vcekElem map[string]*list.Element

	now           func() time.Time
	negTTL        time.Duration
	maxNeg        int
	unknownBudget int
	unknownShare  int
	negMu         sync.Mutex
	neg           map[string]*list.Element // of *negEntry, oldest at the front
	negList       *list.List
	// The bounds on 4xx answers (budget.go), under negMu: charges holds the answers
	// (and fetches under way) of the last negTTL, oldest at the front, and
	// byRequester how many of them each requester has, so it holds no more
	// requesters than charges holds charges.
	charges     *list.List // of *charge
	byRequester map[string]int
}

// negEntry is a remembered 4xx answer.
type negEntry struct {
	key   string
	err   error
	until time.Time
}

// indexFile is the on-disk index of one key: its versions without their bodies, which
// live in blobs/<sha256 hex>.
type indexFile struct {
	Key      string         `json:"key"`
	Versions []indexVersion `json:"versions"`
}

type indexVersion struct {
	Hash       string      `json:"sha256"`
	Header     http.Header `json:"header,omitempty"`
	IssuedAt   *time.Time  `json:"issued_at,omitempty"`
	NextUpdate *time.Time  `json:"next_update,omitempty"`
}

// New opens (or creates) a cache. Existing on-disk entries are loaded and their
// hashes checked; a corrupt blob is dropped with a warning, so it is fetched again.
func New(opts Options) (*Cache, error) {
	c := &Cache{
		dir:      opts.Dir,
		fetcher:  opts.Fetcher,
		offline:  opts.Offline || opts.Fetcher == nil,
		validity: opts.Validity,
		log:      opts.Logger,
		byKey:    map[string][]*Entry{},
		byHash:   map[[32]byte]*Entry{},
		refs:     map[[32]byte]int{},
		maxVCEKs: orDefault(opts.MaxVCEKs, DefaultMaxVCEKs),
		vcekLRU:  list.New(),
		vcekElem: map[string]*list.Element{},
		now:      opts.Now,
		negTTL:   opts.NegativeTTL,
		maxNeg:   orDefault(opts.MaxNegative, DefaultMaxNegative),
		neg:      map[string]*list.Element{},
		negList:  list.New(),

		unknownBudget: orDefault(opts.UnknownBudget, DefaultUnknownBudget),
		unknownShare:  orDefault(opts.UnknownShare, DefaultUnknownShare),
		charges:       list.New(),
		byRequester:   map[string]int{},
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.negTTL <= 0 {
		c.negTTL = DefaultNegativeTTL
	}
	if c.validity == nil {
		c.validity = CollateralValidity
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.dir == "" {
		return c, nil
	}
	for _, sub := range []string{"blobs", "index"} {
		if err := os.MkdirAll(filepath.Join(c.dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("open collateral cache %s: %w", c.dir, err)
		}
	}
	if err := c.load(); err != nil {
		return nil, fmt.Errorf("open collateral cache %s: %w", c.dir, err)
	}
	c.mu.Lock()
	c.evictVCEKs()
	c.mu.Unlock()
	return c, nil
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

func (c *Cache) load() error {
	files, err := os.ReadDir(filepath.Join(c.dir, "index"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.IsDir() || filepath.Ext(f.Name()) != ".json" {
			continue
		}
		path := filepath.Join(c.dir, "index", f.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var idx indexFile
		if err := json.Unmarshal(b, &idx); err != nil {
			c.log.Warn("collateral cache: unreadable index file skipped", "file", path, "err", err)
			continue
		}
		for _, v := range idx.Versions {
			e, err := c.loadVersion(idx.Key, v)
			if err != nil {
				c.log.Warn("collateral cache: entry skipped", "key", idx.Key, "sha256", v.Hash, "err", err)
				continue
			}
			c.add(e)
		}
	}
	return nil
}

func (c *Cache) loadVersion(key string, v indexVersion) (*Entry, error) {
	raw, err := hex.DecodeString(v.Hash)
	if err != nil || len(raw) != sha256.Size {
		return nil, fmt.Errorf("%w: bad hash %q", ErrCorrupt, v.Hash)
	}
	body, err := os.ReadFile(filepath.Join(c.dir, "blobs", v.Hash))
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(body)
	if !bytes.Equal(h[:], raw) {
		return nil, fmt.Errorf("%w: blob %s has sha256 %x", ErrCorrupt, v.Hash, h)
	}
	// The body is checked again, so one stored before its kind was checked (or
	// edited on disk) is dropped and fetched again rather than served.
	issued, next, err := c.validity(key, body, v.Header)
	if err != nil {
		return nil, err
	}
	return &Entry{Key: key, Body: body, Header: v.Header, Hash: h, IssuedAt: issued, NextUpdate: next}, nil
}

// add records e in memory unless that version of the key is already there; it returns
// the stored entry and whether it changed. The same bytes served with other headers
// (Intel PCS issuer chains) replace the stored version's headers, so a wrong chain
// stored once can be corrected by the next fetch.
func (c *Cache) add(e *Entry) (*Entry, bool) {
	for i, old := range c.byKey[e.Key] {
		if old.Hash == e.Hash {
			if reflect.DeepEqual(old.Header, e.Header) || len(e.Header) == 0 {
				return old, false
			}
			c.byKey[e.Key][i] = e
			if c.byHash[e.Hash] == old {
				c.byHash[e.Hash] = e
			}
			return e, true
		}
	}
	c.byKey[e.Key] = append(c.byKey[e.Key], e)
	c.refs[e.Hash]++
	if _, ok := c.byHash[e.Hash]; !ok {
		c.byHash[e.Hash] = e
	}
	if kindOf(e.Key) == kindVCEK {
		c.touch(e.Key, true)
	}
	return e, true
}

// touch marks a VCEK key as just used; a key not yet in the LRU list is added only
// when add is set (by add, under c.mu), so a Lookup racing with an eviction does not
// bring the evicted key back into the list.
func (c *Cache) touch(key string, add bool) {
	c.lruMu.Lock()
	defer c.lruMu.Unlock()
	if el, ok := c.vcekElem[key]; ok {
		c.vcekLRU.MoveToFront(el)
		return
	}
	if add {
		c.vcekElem[key] = c.vcekLRU.PushFront(key)
	}
}

// evictVCEKs drops the least recently used VCEK keys beyond maxVCEKs, from memory
// and disk; c.mu is held.
func (c *Cache) evictVCEKs() {
	for {
		c.lruMu.Lock()
		if c.vcekLRU.Len() <= c.maxVCEKs {
			c.lruMu.Unlock()
			return
		}
		key := c.vcekLRU.Remove(c.vcekLRU.Back()).(string)
		delete(c.vcekElem, key)
		c.lruMu.Unlock()
		c.drop(key)
	}
}

// drop removes every version of key, from memory and disk; c.mu is held.
func (c *Cache) drop(key string) {
	entries := c.byKey[key]
	delete(c.byKey, key)
	if c.dir != "" {
		kh := sha256.Sum256([]byte(key))
		c.removeFile(filepath.Join(c.dir, "index", hex.EncodeToString(kh[:])+".json"))
	}
	for _, e := range entries {
		c.refs[e.Hash]--
		if c.refs[e.Hash] > 0 {
			if c.byHash[e.Hash] == e {
				c.byHash[e.Hash] = c.otherWithHash(e.Hash)
			}
			continue
		}
		delete(c.refs, e.Hash)
		delete(c.byHash, e.Hash)
		if c.dir != "" {
			c.removeFile(filepath.Join(c.dir, "blobs", hex.EncodeToString(e.Hash[:])))
		}
	}
	c.log.Debug("collateral cache: least recently used VCEK dropped", "key", key)
}

// otherWithHash finds a stored version with hash h (another key's, after one was
// dropped); rare, since distinct VCEK URLs hold distinct certificates.
func (c *Cache) otherWithHash(h [32]byte) *Entry {
	for _, es := range c.byKey {
		for _, e := range es {
			if e.Hash == h {
				return e
			}
		}
	}
	return nil
}

func (c *Cache) removeFile(path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.log.Warn("collateral cache: cannot remove a dropped entry", "file", path, "err", err)
	}
}

// Put stores body as a version of key (for imports and for fetched items), reading its
// validity with the cache's ValidityFunc; a body that is not the collateral its key
// names (ErrNotCollateral, see CollateralValidity) is refused and nothing is stored.
// Storing the same bytes again is a no-op, unless they come with other headers, which
// then replace the stored ones.
func (c *Cache) Put(key string, body []byte, header http.Header) (*Entry, error) {
	issued, next, err := c.validity(key, body, header)
	if err != nil {
		return nil, fmt.Errorf("store collateral %s: %w", key, err)
	}
	e := &Entry{Key: key, Body: bytes.Clone(body), Header: header.Clone(), Hash: sha256.Sum256(body),
		IssuedAt: issued, NextUpdate: next}
	c.forgetNegative(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	stored, isNew := c.add(e)
	if !isNew {
		return stored, nil
	}
	if c.dir != "" {
		if err := c.persist(key); err != nil {
			return nil, fmt.Errorf("store collateral %s: %w", key, err)
		}
	}
	c.evictVCEKs()
	return stored, nil
}

// persist writes the key's blobs and index; c.mu is held.
func (c *Cache) persist(key string) error {
	idx := indexFile{Key: key}
	for _, e := range c.byKey[key] {
		name := hex.EncodeToString(e.Hash[:])
		blob := filepath.Join(c.dir, "blobs", name)
		if _, err := os.Stat(blob); errors.Is(err, fs.ErrNotExist) {
			if err := writeAtomic(blob, e.Body); err != nil {
				return err
			}
		}
		v := indexVersion{Hash: name, Header: e.Header}
		if !e.IssuedAt.IsZero() {
			t := e.IssuedAt
			v.IssuedAt = &t
		}
		if !e.NextUpdate.IsZero() {
			t := e.NextUpdate
			v.NextUpdate = &t
		}
		idx.Versions = append(idx.Versions, v)
	}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	kh := sha256.Sum256([]byte(key))
	return writeAtomic(filepath.Join(c.dir, "index", hex.EncodeToString(kh[:])+".json"), b)
}

// writeAtomic writes via a temporary file and rename, so readers never see a partial
// file and a crash leaves the old one.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Lookup returns the cached version of key valid as of asOf (the latest issued, when
// several are), without fetching.
func (c *Cache) Lookup(key string, asOf time.Time) (*Entry, bool) {
	c.mu.RLock()
	var best *Entry
	for _, e := range c.byKey[key] {
		if !e.ValidAt(asOf) {
			continue
		}
		if best == nil || e.IssuedAt.After(best.IssuedAt) {
			best = e
		}
	}
	c.mu.RUnlock()
	if best != nil && kindOf(key) == kindVCEK {
		c.touch(key, false)
	}
	return best, best != nil
}

// held reports whether the cache holds any version of key.
func (c *Cache) held(key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.byKey[key]) > 0
}

// negative returns the 4xx answer remembered for key, if it is still fresh.
func (c *Cache) negative(key string) error {
	c.negMu.Lock()
	defer c.negMu.Unlock()
	el, ok := c.neg[key]
	if !ok {
		return nil
	}
	n := el.Value.(*negEntry)
	if !c.now().Before(n.until) {
		c.negList.Remove(el)
		delete(c.neg, key)
		return nil
	}
	return n.err
}

func (c *Cache) forgetNegative(key string) {
	c.negMu.Lock()
	defer c.negMu.Unlock()
	if el, ok := c.neg[key]; ok {
		c.negList.Remove(el)
		delete(c.neg, key)
	}
}

// rememberNegative records a 4xx answer for key; the oldest answers beyond maxNeg
// are forgotten. What it costs is charged apart (settle).
func (c *Cache) rememberNegative(key string, err error) {
	c.negMu.Lock()
	defer c.negMu.Unlock()
	if el, ok := c.neg[key]; ok {
		c.negList.Remove(el)
	}
	c.neg[key] = c.negList.PushBack(&negEntry{key: key, err: err, until: c.now().Add(c.negTTL)})
	for c.negList.Len() > c.maxNeg {
		old := c.negList.Remove(c.negList.Front()).(*negEntry)
		delete(c.neg, old.key)
	}
}

// isAnswer4xx reports whether err is a source's 4xx answer other than 429.
func isAnswer4xx(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != http.StatusTooManyRequests
}

// Versions returns every cached version of key, oldest issued first.
func (c *Cache) Versions(key string) []*Entry {
	c.mu.RLock()
	out := append([]*Entry(nil), c.byKey[key]...)
	c.mu.RUnlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].IssuedAt.Before(out[j].IssuedAt) })
	return out
}

// ByHash returns the cached item with the given SHA-256, whatever its key, so an
// audit can find the exact collateral an appraisal names.
func (c *Cache) ByHash(h [32]byte) (*Entry, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.byHash[h]
	return e, ok
}

// Get returns the version of key valid as of asOf: from the cache when it has one,
// else fetched (one fetch however many callers ask at once) and stored. A fetched item
// is returned even when it is not valid as of asOf (asOf may be in the past): callers
// check validity, as the appraisal does. Offline, a miss wraps ErrOffline and
// ErrNotCached. It is GetFor with no requester: a 4xx answer is charged to the
// ceiling (Options.UnknownBudget) only.
func (c *Cache) Get(ctx context.Context, key string, asOf time.Time) (*Entry, error) {
	return c.GetFor(ctx, "", key, asOf)
}

// GetFor is Get on behalf of requester, who is charged a 4xx answer to a key the
// cache never held, within its share (Options.UnknownShare) as well as the ceiling.
// Once either is used up such a key is not fetched for it (ErrUnavailable), while
// other requesters' keys still are. Keys the cache holds cost nothing.
func (c *Cache) GetFor(ctx context.Context, requester, key string, asOf time.Time) (*Entry, error) {
	if e, ok := c.Lookup(key, asOf); ok {
		return e, nil
	}
	if c.offline {
		return nil, fmt.Errorf("get collateral %s as of %s: %w: %w", key, asOf.UTC().Format(time.RFC3339), ErrOffline, ErrNotCached)
	}
	if err := c.negative(key); err != nil {
		return nil, fmt.Errorf("get collateral %s: %w (answered within the last %s; not asked again yet)", key, err, c.negTTL)
	}
	// A key never held is charged before it is fetched, so that concurrent fetches
	// cannot overshoot the bounds; the charge is returned unless the answer is a 4xx.
	var reserved *list.Element
	if !c.held(key) {
		var err error
		if reserved, err = c.reserve(requester); err != nil {
			return nil, fmt.Errorf("get collateral %s: %w", key, err)
		}
	}
	fetched := false
	v, err, _ := c.group.Do(key, func() (any, error) { return c.fetch(ctx, key, asOf, &fetched) })
	// Only the caller whose fetch the source answered 4xx is charged; the others
	// that shared its answer had their own reservation returned.
	c.settle(requester, reserved, fetched && isAnswer4xx(err))
	if err != nil {
		return nil, fmt.Errorf("get collateral %s: %w", key, err)
	}
	return v.(*Entry), nil
}

// fetch asks the source for key (once no other caller stored it or its 4xx answer
// while this one waited for the group) and stores what it answers; fetched says
// that the source was asked.
func (c *Cache) fetch(ctx context.Context, key string, asOf time.Time, fetched *bool) (*Entry, error) {
	if e, ok := c.Lookup(key, asOf); ok {
		return e, nil
	}
	if err := c.negative(key); err != nil {
		return nil, fmt.Errorf("%w (answered within the last %s; not asked again yet)", err, c.negTTL)
	}
	*fetched = true
	resp, err := c.fetcher.Fetch(ctx, key)
	if err != nil {
		if isAnswer4xx(err) {
			c.rememberNegative(key, err)
		}
		return nil, err
	}
	c.log.Debug("collateral fetched", "key", key, "bytes", len(resp.Body))
	e, err := c.Put(key, resp.Body, resp.Header)
	if errors.Is(err, ErrNotCollateral) {
		// A proxy's error page or a maintenance answer says nothing about the
		// evidence; it is not stored, so the next Get asks again.
		c.log.Warn("collateral source answered with something else; not stored", "key", key, "err", err)
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return e, err
}

// ErrNotCollateral is wrapped when a body is not the kind of collateral its key (URL)
// names: an HTML maintenance page or a JSON error where a CRL, a certificate, TCB Info
// or QE Identity belongs. Such a body is never stored; a fetched one is also
// ErrUnavailable (the source answered, but not with collateral, and may later).
var ErrNotCollateral = errors.New("response is not the collateral its URL names")

// collateralKind is what a key's URL path says its body must be.
type collateralKind int

const (
	kindOther      collateralKind = iota // anything else: not checked
	kindCRL                              // an X.509 CRL, DER or PEM
	kindVCEK                             // an AMD VCEK or VLEK certificate, DER
	kindTCBInfo                          // Intel TCB Info (JSON "tcbInfo") with its issuer chain
	kindQEIdentity                       // Intel QE Identity (JSON "enclaveIdentity") with its issuer chain
	kindCertChain                        // an AMD KDS cert_chain: PEM certificates
)

// kindOf classifies key by its URL path: AMD KDS .../vcek|vlek/v1/<line>/crl and
// Intel PCS .../pckcrl and the Intel SGX Root CA CRL (a path ending .crl or
// IntelSGXRootCA.der) are CRLs; .../vcek/v1/<line>/<chip> or .../vlek/v1/... other
// than crl and cert_chain is a certificate; .../tcb is TCB Info; .../qe/identity is QE
// Identity; .../cert_chain is PEM certificates.
func kindOf(key string) collateralKind {
	u, err := url.Parse(key)
	if err != nil {
		return kindOther
	}
	p := u.Path
	switch {
	case strings.HasSuffix(p, "/crl"), strings.HasSuffix(p, "/pckcrl"),
		strings.HasSuffix(strings.ToLower(p), ".crl"), strings.HasSuffix(p, "/IntelSGXRootCA.der"):
		return kindCRL
	case strings.HasSuffix(p, "/cert_chain"):
		return kindCertChain
	case strings.Contains(p, "/vcek/v1/"), strings.Contains(p, "/vlek/v1/"):
		return kindVCEK
	case strings.HasSuffix(p, "/tcb"):
		return kindTCBInfo
	case strings.HasSuffix(p, "/qe/identity"):
		return kindQEIdentity
	}
	return kindOther
}

// CollateralValidity is the default ValidityFunc. It first checks that the body is
// the collateral its key names (see ErrNotCollateral): a CRL URL must hold an X.509
// CRL, a VCEK URL a certificate, a KDS cert_chain URL PEM certificates, a TCB Info or QE Identity URL Intel's JSON with its
// issueDate and nextUpdate and an issuer-chain header that parses. Then Intel's TCB
// Info and QE Identity (JSON with issueDate and nextUpdate under "tcbInfo" or
// "enclaveIdentity") are valid between those two times, CRLs as CRLValidity says,
// anything else is never stale.
func CollateralValidity(key string, body []byte, header http.Header) (time.Time, time.Time, error) {
	switch k := kindOf(key); k {
	case kindCRL:
		der := body
		if b, _ := pem.Decode(body); b != nil && b.Type == "X509 CRL" {
			der = b.Bytes
		}
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: not an X.509 CRL (%s): %w", ErrNotCollateral, key, bodyHint(body), err)
		}
		return crl.ThisUpdate.UTC(), crl.NextUpdate.UTC(), nil
	case kindCertChain:
		n, rest := 0, body
		for {
			blk, r := pem.Decode(rest)
			if blk == nil {
				break
			}
			if _, err := x509.ParseCertificate(blk.Bytes); blk.Type != "CERTIFICATE" || err != nil {
				return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: PEM block %d is not a certificate", ErrNotCollateral, key, n+1)
			}
			n, rest = n+1, r
		}
		if n == 0 {
			return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: no PEM certificate (%s)", ErrNotCollateral, key, bodyHint(body))
		}
		return time.Time{}, time.Time{}, nil
	case kindVCEK:
		if _, err := x509.ParseCertificate(body); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: not a DER certificate (%s): %w", ErrNotCollateral, key, bodyHint(body), err)
		}
		return time.Time{}, time.Time{}, nil
	case kindTCBInfo, kindQEIdentity:
		field, headers := pcsTCBInfoPhrase, pcsTCBInfoChainHeaders
		if k == kindQEIdentity {
			field, headers = pcsQEIdentityPhrase, pcsQEIdentityChainHeaders
		}
		issued, next, err := signedJSONDates(key, body, field)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if _, err := chainHeader(header, headers); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: %w", ErrNotCollateral, key, err)
		}
		return issued, next, nil
	}
	if len(body) > 0 && body[0] == '{' {
		var doc map[string]json.RawMessage
		if json.Unmarshal(body, &doc) == nil {
			for _, field := range []string{"tcbInfo", "enclaveIdentity"} {
				if _, ok := doc[field]; ok {
					return signedJSONDates(key, body, field)
				}
			}
		}
		return time.Time{}, time.Time{}, nil
	}
	return CRLValidity(key, body, header)
}

// signedJSONDates reads issueDate and nextUpdate of the Intel JSON object under field;
// both must be present and nextUpdate after issueDate.
func signedJSONDates(key string, body []byte, field string) (time.Time, time.Time, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: not JSON (%s): %w", ErrNotCollateral, key, bodyHint(body), err)
	}
	raw, ok := doc[field]
	if !ok {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: JSON has no %q (%s)", ErrNotCollateral, key, field, bodyHint(body))
	}
	var dates struct {
		IssueDate  time.Time `json:"issueDate"`
		NextUpdate time.Time `json:"nextUpdate"`
	}
	if err := json.Unmarshal(raw, &dates); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: %s dates: %w", ErrNotCollateral, key, field, err)
	}
	if dates.IssueDate.IsZero() || !dates.NextUpdate.After(dates.IssueDate) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %s: %s issueDate %s and nextUpdate %s: want both, nextUpdate later",
			ErrNotCollateral, key, field, dates.IssueDate.UTC().Format(time.RFC3339), dates.NextUpdate.UTC().Format(time.RFC3339))
	}
	return dates.IssueDate.UTC(), dates.NextUpdate.UTC(), nil
}

// bodyHint describes a body for an error without quoting it: its length and whether
// it looks like HTML, JSON or PEM.
func bodyHint(b []byte) string {
	t := bytes.TrimSpace(b)
	what := "binary"
	switch {
	case len(t) == 0:
		what = "empty"
	case t[0] == '<':
		what = "HTML or XML"
	case t[0] == '{' || t[0] == '[':
		what = "JSON"
	case bytes.HasPrefix(t, []byte("-----BEGIN")):
		what = "PEM"
	}
	return fmt.Sprintf("%d bytes, %s", len(b), what)
}

// CRLValidity is a ValidityFunc for X.509 CRLs: an X.509 CRL (DER, or PEM "X509 CRL") is
// valid from its thisUpdate to its nextUpdate; anything else is never stale.
func CRLValidity(_ string, body []byte, _ http.Header) (time.Time, time.Time, error) {
	der := body
	if b, _ := pem.Decode(body); b != nil && b.Type == "X509 CRL" {
		der = b.Bytes
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return time.Time{}, time.Time{}, nil
	}
	return crl.ThisUpdate.UTC(), crl.NextUpdate.UTC(), nil
}
