package chain

import (
	"bytes"
	"io"
)

// scrubChunk is how much a scrubReader reads from its source at a time.
const scrubChunk = 8 << 10

// newScrubReader returns a reader of src with every secret replaced by repl, in
// the order given: what it reads equals applying strings.ReplaceAll for each
// secret in turn to all of src, however src's reads are cut. Empty secrets are
// skipped. Each secret's stage holds a scrubChunk buffer, a tail shorter than the
// secret and what one read becomes once replaced, so bodies of any size stream.
func newScrubReader(src io.Reader, secrets []string, repl string) io.Reader {
	for _, s := range secrets {
		if s != "" {
			src = &scrubReader{src: src, old: []byte(s), repl: []byte(repl)}
		}
	}
	return src
}

// scrubReader replaces one secret (old) with repl in what it reads from src. It
// holds back the last len(old)-1 bytes read until more arrive (they may begin an
// occurrence that the next read completes) or src ends.
type scrubReader struct {
	src       io.Reader
	old, repl []byte
	buf       []byte // src's last read
	pend      []byte // bytes read, not yet searched to the end: the held-back tail
	out       []byte // replaced bytes not yet returned: out[off:]
	off       int
	err       error // src's error once it returned one
}

func (r *scrubReader) Read(p []byte) (int, error) {
	for r.off == len(r.out) && r.err == nil {
		if r.buf == nil {
			r.buf = make([]byte, scrubChunk)
		}
		n, err := r.src.Read(r.buf)
		r.pend = append(r.pend, r.buf[:n]...)
		r.err = err
		r.out, r.off = r.out[:0], 0
		r.scan(err == io.EOF)
	}
	if r.off == len(r.out) {
		return 0, r.err
	}
	n := copy(p, r.out[r.off:])
	r.off += n
	return n, nil
}

// scan moves pend to out, replacing each occurrence of old, and keeps in pend the
// last len(old)-1 bytes unless src has ended (final).
func (r *scrubReader) scan(final bool) {
	s := r.pend
	for {
		i := bytes.Index(s, r.old)
		if i < 0 {
			break
		}
		r.out = append(append(r.out, s[:i]...), r.repl...)
		s = s[i+len(r.old):]
	}
	keep := min(len(r.old)-1, len(s))
	if final {
		keep = 0
	}
	r.out = append(r.out, s[:len(s)-keep]...)
	r.pend = append(r.pend[:0], s[len(s)-keep:]...)
}
