package workload

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const img = "ghcr.io/acme/api@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestCanonicalKnownAnswer pins the canonical bytes and digest of docs/evidence.md.
func TestCanonicalKnownAnswer(t *testing.T) {
	d, err := Parse([]byte(`{"version":1, "name":"demo", "images":["` + img + `","` + img + `","docker.io/library/redis@sha256:` + strings.Repeat("ab", 32) + `"], "compose_sha256":"0x` + strings.Repeat("11", 32) + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"compose_sha256":"0x` + strings.Repeat("11", 32) + `","images":["docker.io/library/redis@sha256:` + strings.Repeat("ab", 32) + `","` + img + `"],"name":"demo","version":1}`
	if got := string(d.Canonical()); got != want {
		t.Fatalf("canonical\n%s\nwant\n%s", got, want)
	}
	if d.Digest() != sha256.Sum256([]byte(want)) {
		t.Error("digest is not SHA-256 of the canonical bytes")
	}
	again, err := Parse(d.Canonical())
	if err != nil || string(again.Canonical()) != want {
		t.Errorf("canonical bytes do not read back: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"no version":        `{"images":["` + img + `"]}`,
		"version 2":         `{"version":2,"images":["` + img + `"]}`,
		"unknown field":     `{"version":1,"images":["` + img + `"],"x":1}`,
		"empty":             `{"version":1}`,
		"tag, no digest":    `{"version":1,"images":["ghcr.io/acme/api:latest"]}`,
		"upper-case digest": `{"version":1,"images":["a@sha256:` + strings.Repeat("AB", 32) + `"]}`,
		"short compose":     `{"version":1,"compose_sha256":"0x1234"}`,
		"quote in name":     `{"version":1,"name":"a\"b","images":["` + img + `"]}`,
		"trailing data":     `{"version":1,"images":["` + img + `"]} {}`,
		"trailing brace":    `{"version":1,"images":["` + img + `"]}}`,
		"trailing bracket":  `{"version":1,"images":["` + img + `"]}]`,
		"key case":          `{"Version":1,"images":["` + img + `"]}`,
		"repeated key":      `{"version":1,"name":"a","name":"b","images":["` + img + `"]}`,
	} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzParse: any input is read or refused without panicking, and what is read
// has canonical bytes that read back to themselves.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version":1,"name":"demo","images":["` + img + `"]}`))
	f.Add([]byte(`{"version":1,"compose_sha256":"` + strings.Repeat("00", 32) + `"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		c := d.Canonical()
		again, err := Parse(c)
		if err != nil || string(again.Canonical()) != string(c) {
			t.Fatalf("canonical %q does not read back: %v", c, err)
		}
	})
}

// TestNormalizeRefusesOverCanonicalBound: a description whose fields each pass
// (20 images of 250 characters) but whose canonical bytes exceed MaxCanonical is
// refused by Normalize, as Parse refuses those bytes: an agent building it would
// extend RTMR3 with a description every node refuses.
func TestNormalizeRefusesOverCanonicalBound(t *testing.T) {
	d := &Description{Name: "big"}
	for i := range 20 {
		name := fmt.Sprintf("registry.example/%02d/", i) + strings.Repeat("a", 250-len("registry.example/00/")-len("@sha256:")-64)
		d.Images = append(d.Images, name+"@sha256:"+strings.Repeat("ab", 32))
	}
	err := d.Normalize()
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "canonical") {
		t.Fatalf("Normalize of %d canonical bytes: %v; want ErrInvalid naming the canonical size", len(d.Canonical()), err)
	}
	if _, perr := Parse(d.Canonical()); perr == nil {
		t.Fatal("Parse accepts the canonical bytes Normalize refuses")
	}
	d.Images = d.Images[:10]
	if err := d.Normalize(); err != nil {
		t.Fatalf("10 such images (%d canonical bytes): %v", len(d.Canonical()), err)
	}
	if _, err := Parse(d.Canonical()); err != nil {
		t.Fatalf("Parse of what Normalize accepts: %v", err)
	}
}
