// Package workload is the description of what a confidential VM runs, by names a
// person can check: the container images (by digest) and the compose or
// init-data file (by SHA-256) the teeoracle agent launched. Its canonical bytes
// are bound into the evidence (TDX: a runtime RTMR3 event whose data they are;
// SEV-SNP: HOST_DATA = SHA-256 of them, set when the VM is launched) and named by
// the version 2 workload id (docs/verdict-encoding.md).
package workload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/teeoracle/teeoracle/internal/strictjson"
)

// ErrInvalid is returned (wrapped) for a description that cannot be read; the
// message names the field.
var ErrInvalid = errors.New("invalid workload description")

// EventType is the runtime RTMR3 event type whose data is a description's
// canonical bytes.
const EventType = "teeoracle.workload.v1"

// Bounds.
const (
	MaxImages    = 64
	MaxImageRef  = 255
	MaxName      = 64
	MaxCanonical = 4 << 10
)

// Description names a workload. At least one of Images and ComposeSHA256 is set.
type Description struct {
	// ComposeSHA256 is the SHA-256 of the compose (or init-data) file as launched.
	ComposeSHA256 []byte
	// Images are digest-pinned image references, "name@sha256:<64 hex>".
	Images []string
	// Name is free text for people (printable ASCII, no quote or backslash).
	Name string
}

type jsonDescription struct {
	ComposeSHA256 string   `json:"compose_sha256,omitempty"`
	Images        []string `json:"images,omitempty"`
	Name          string   `json:"name,omitempty"`
	Version       int      `json:"version"`
}

// Parse reads a description from JSON strictly (unknown fields, a version other
// than 1, an image without a sha256 digest are errors) and normalises it
// (images sorted, duplicates dropped).
func Parse(data []byte) (*Description, error) {
	if len(data) > MaxCanonical {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrInvalid, len(data), MaxCanonical)
	}
	var j jsonDescription
	// Each key once, spelt exactly: encoding/json alone folds case and lets a
	// repeated key win.
	if err := strictjson.CheckKeys(data, reflect.TypeOf(j)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) { // More misses a trailing '}' or ']'
		return nil, fmt.Errorf("%w: data after the object", ErrInvalid)
	}
	if j.Version != 1 {
		return nil, fmt.Errorf("%w: version %d, want 1", ErrInvalid, j.Version)
	}
	d := &Description{Images: j.Images, Name: j.Name}
	if j.ComposeSHA256 != "" {
		b, err := hex.DecodeString(strings.TrimPrefix(j.ComposeSHA256, "0x"))
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("%w: compose_sha256: %q is not 0x and 64 hex digits", ErrInvalid, j.ComposeSHA256)
		}
		d.ComposeSHA256 = b
	}
	if err := d.Normalize(); err != nil {
		return nil, err
	}
	return d, nil
}

// Normalize checks every field, sorts the images and checks that the canonical
// bytes are at most MaxCanonical long.
func (d *Description) Normalize() error {
	if len(d.Images) == 0 && d.ComposeSHA256 == nil {
		return fmt.Errorf("%w: neither images nor compose_sha256", ErrInvalid)
	}
	if d.ComposeSHA256 != nil && len(d.ComposeSHA256) != sha256.Size {
		return fmt.Errorf("%w: compose_sha256 of %d bytes, want 32", ErrInvalid, len(d.ComposeSHA256))
	}
	if len(d.Images) > MaxImages {
		return fmt.Errorf("%w: %d images, at most %d", ErrInvalid, len(d.Images), MaxImages)
	}
	for i, ref := range d.Images {
		if _, err := ImageDigest(ref); err != nil {
			return fmt.Errorf("%w: images[%d]: %w", ErrInvalid, i, err)
		}
	}
	if len(d.Name) > MaxName || !plain(d.Name) {
		return fmt.Errorf("%w: name %q is not up to %d printable ASCII characters without quote or backslash", ErrInvalid, d.Name, MaxName)
	}
	d.Images = slices.Compact(slices.Sorted(slices.Values(d.Images)))
	// Each field within its bound still allows canonical bytes over the bound
	// Parse holds every reader to (64 images of 255 characters): refused here, a
	// description no node would read is never extended into a measurement.
	if n := len(d.Canonical()); n > MaxCanonical {
		return fmt.Errorf("%w: canonical description of %d bytes, at most %d", ErrInvalid, n, MaxCanonical)
	}
	return nil
}

// ImageDigest returns the "sha256:<hex>" digest of a digest-pinned reference
// "name@sha256:<64 lowercase hex>"; the name is 1 to 180 characters of
// [a-z0-9._/:-].
func ImageDigest(ref string) (string, error) {
	name, dg, ok := strings.Cut(ref, "@")
	if !ok || len(ref) > MaxImageRef {
		return "", fmt.Errorf("%q is not name@sha256:<64 hex>", ref)
	}
	if len(name) == 0 || len(name) > 180 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789._/:-") != "" {
		return "", fmt.Errorf("image name %q is not 1 to 180 of [a-z0-9._/:-]", name)
	}
	if err := CheckDigest(dg); err != nil {
		return "", fmt.Errorf("image %q: %w", ref, err)
	}
	return dg, nil
}

// CheckDigest accepts "sha256:" and 64 lowercase hex digits.
func CheckDigest(dg string) error {
	h, ok := strings.CutPrefix(dg, "sha256:")
	if !ok || len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		return fmt.Errorf("digest %q is not sha256: and 64 lowercase hex digits", dg)
	}
	return nil
}

func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// Canonical returns the description's canonical bytes: JSON with the keys
// compose_sha256 (0x and lowercase hex), images (sorted, no duplicates), name,
// version (1), in that order, absent fields left out, no white space. The
// characters allowed in each field need no JSON escaping, so the bytes are
// exactly what the documentation spells out.
func (d *Description) Canonical() []byte {
	j := jsonDescription{Images: d.Images, Name: d.Name, Version: 1}
	if d.ComposeSHA256 != nil {
		j.ComposeSHA256 = "0x" + hex.EncodeToString(d.ComposeSHA256)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(&j) // strings and a slice of strings: cannot fail
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Digest is SHA-256 of the canonical bytes: the SEV-SNP HOST_DATA that binds the
// description, and the description's part of the version 2 workload id.
func (d *Description) Digest() [32]byte { return sha256.Sum256(d.Canonical()) }

// ImageDigests returns the images' "sha256:…" digests, in the images' order.
func (d *Description) ImageDigests() []string {
	out := make([]string, 0, len(d.Images))
	for _, ref := range d.Images {
		dg, _ := ImageDigest(ref)
		out = append(out, dg)
	}
	return out
}

// MarshalJSON writes the canonical form.
func (d *Description) MarshalJSON() ([]byte, error) { return d.Canonical(), nil }

// UnmarshalJSON reads with Parse.
func (d *Description) UnmarshalJSON(b []byte) error {
	p, err := Parse(b)
	if err != nil {
		return err
	}
	*d = *p
	return nil
}
