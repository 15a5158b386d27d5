//go:build !(js && wasm)

package collateral

// Not in the WebAssembly verifier (js/wasm): it fetches nothing, and net/http would
// add about 260 KB to the module (docs/wasm.md).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ErrHTTPStatus is wrapped by HTTPFetcher errors for non-2xx responses; errors.As
// with *StatusError gives the code.
var ErrHTTPStatus = errors.New("unexpected HTTP status")

// StatusError is a non-2xx response.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Code) }

// Unwrap makes errors.Is(err, ErrHTTPStatus) hold, and errors.Is(err,
// ErrUnavailable) for 429 and 5xx.
func (e *StatusError) Unwrap() []error {
	if e.Code == http.StatusTooManyRequests || e.Code >= 500 {
		return []error{ErrHTTPStatus, ErrUnavailable}
	}
	return []error{ErrHTTPStatus}
}

// HTTPFetcher fetches over HTTP(S) with net/http.
type HTTPFetcher struct {
	// Client performs the requests. Nil means a client with a 30-second timeout.
	Client *http.Client
	// MaxBody bounds a response body. Zero means 16 MiB.
	MaxBody int64
}

// Fetch GETs url and returns its body and headers; a non-2xx status is a *StatusError.
func (f *HTTPFetcher) Fetch(ctx context.Context, url string) (*Response, error) {
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	max := f.MaxBody
	if max <= 0 {
		max = 16 << 20
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("GET %s: %w", url, err)
		}
		return nil, fmt.Errorf("GET %s: %w: %w", url, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{URL: url, Code: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("GET %s: read body: %w", url, err)
		}
		return nil, fmt.Errorf("GET %s: read body: %w: %w", url, ErrUnavailable, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("GET %s: body exceeds %d bytes", url, max)
	}
	return &Response{Header: resp.Header, Body: body}, nil
}

// SEVGetter lets go-sev-guest fetch through a Cache: it implements that library's
// trust.HTTPSGetter (Get) and trust.ContextHTTPSGetter (GetContext). AsOf selects
// which cached version of a CRL is served.
type SEVGetter struct {
	Cache *Cache
	AsOf  time.Time
}

// Get returns the body of url from the cache, fetching it if needed.
func (g SEVGetter) Get(url string) ([]byte, error) {
	return g.GetContext(context.Background(), url)
}

// GetContext is Get with a context for the fetch.
func (g SEVGetter) GetContext(ctx context.Context, url string) ([]byte, error) {
	e, err := g.Cache.Get(ctx, url, g.AsOf)
	if err != nil {
		return nil, err
	}
	return e.Body, nil
}

// TDXGetter lets go-tdx-guest fetch through a Cache: it implements that library's
// trust.HTTPSGetter, whose Get also returns the response headers (Intel PCS puts
// issuer chains there). AsOf selects which cached version is served; when it is
// zero, Now is asked for the time (a long-running node serves the version valid now
// and fetches a new one once it goes stale). One of the two must be set.
type TDXGetter struct {
	Cache *Cache
	AsOf  time.Time
	Now   func() time.Time
}

// Get returns the headers and body of url from the cache, fetching them if needed.
func (g TDXGetter) Get(url string) (map[string][]string, []byte, error) {
	asOf := g.AsOf
	if asOf.IsZero() {
		if g.Now == nil {
			return nil, nil, fmt.Errorf("get collateral %s: TDXGetter has neither AsOf nor Now", url)
		}
		asOf = g.Now()
	}
	e, err := g.Cache.Get(context.Background(), url, asOf)
	if err != nil {
		return nil, nil, err
	}
	return e.Header, e.Body, nil
}

// MapFetcher serves fixed responses by URL, for tests and for collateral saved to
// files; a missing URL is a 404 *StatusError.
type MapFetcher map[string]*Response

// Fetch returns the response stored for url.
func (m MapFetcher) Fetch(_ context.Context, url string) (*Response, error) {
	r, ok := m[url]
	if !ok {
		return nil, &StatusError{URL: url, Code: http.StatusNotFound}
	}
	return r, nil
}
