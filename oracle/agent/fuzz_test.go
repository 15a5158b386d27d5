package agent

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParseKey: the key file reader never panics and either returns a key or
// ErrKeyFormat.
func FuzzParseKey(f *testing.F) {
	f.Add([]byte("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\n"))
	f.Add([]byte("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"))
	f.Add([]byte("0000000000000000000000000000000000000000000000000000000000000000"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseKey(b)
		if err != nil && !errors.Is(err, ErrKeyFormat) {
			t.Fatalf("error %v does not wrap ErrKeyFormat", err)
		}
		if err == nil && k == nil {
			t.Fatal("nil key without error")
		}
	})
}

// FuzzParseFileConfig: the config reader never panics and fails only with
// ErrConfigFile.
func FuzzParseFileConfig(f *testing.F) {
	f.Add([]byte("oracle_url: http://127.0.0.1:8545\nregistry: \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\ntee: auto\n"))
	f.Add([]byte(`{"chain_id": 1, "reattest_fraction": 0.5}`))
	f.Add([]byte("tee: tdx\ntee: tdx\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseFileConfig(b)
		if err != nil && !errors.Is(err, ErrConfigFile) {
			t.Fatalf("error %v does not wrap ErrConfigFile", err)
		}
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}

// FuzzRetryAfterAndClip: a node's Retry-After header reads as a wait within
// 0..maxRetryAfter, and clip keeps valid UTF-8 valid and within its bound plus the
// note of the length.
func FuzzRetryAfterAndClip(f *testing.F) {
	f.Add("2", 10)
	f.Add(" 120 ", 3)
	f.Add("99999999999999999999", 0)
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT", 384)
	f.Add("ééé", 3)
	f.Fuzz(func(t *testing.T, h string, n int) {
		if d := retryAfter(h); d < 0 || d > maxRetryAfter {
			t.Fatalf("Retry-After %q: %v", h, d)
		}
		n = max(0, min(n, 1<<16))
		c := clip(h, n)
		if len(h) <= n && c != h {
			t.Fatalf("clip(%q, %d) = %q, want it unchanged", h, n, c)
		}
		if len(h) > n && (len(c) > n+32 || (utf8.ValidString(h) && !utf8.ValidString(c))) {
			t.Fatalf("clip(%q, %d) = %q", h, n, c)
		}
	})
}
