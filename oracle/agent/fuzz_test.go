package agent

import (
	"errors"
	"testing"
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
