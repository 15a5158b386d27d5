package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestExplorerMountedUnderItsPrefix(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("explorer saw " + r.URL.Path))
	})
	s := newTestServer(t, &fakeBackend{}, func(c *Config) { c.Explorer = page })
	for target, want := range map[string]string{
		"/explorer/":            "explorer saw /",
		"/explorer/config.json": "explorer saw /config.json",
	} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK || rec.Body.String() != want {
			t.Errorf("GET %s: HTTP %d %q, want 200 %q", target, rec.Code, rec.Body.String(), want)
		}
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/explorer", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/explorer/" {
		t.Errorf("GET /explorer: HTTP %d to %q, want a redirect to /explorer/", rec.Code, rec.Header().Get("Location"))
	}
}

func TestNoExplorerUnlessConfigured(t *testing.T) {
	s := newTestServer(t, &fakeBackend{}, nil)
	if code, _, _ := do(t, s, http.MethodGet, "/explorer/", "", nil); code != http.StatusNotFound {
		t.Fatalf("GET /explorer/ without an explorer: HTTP %d, want 404", code)
	}
}
