package chain

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Path segments and query values of 8 characters or more are secrets in both
// their escaped and decoded forms, user name, password and the Basic credential
// whatever their length; query names and short words are not, so they stay
// readable in the answers the node quotes.
func TestURLSecrets(t *testing.T) {
	const key1 = "0123456789abcdef0123456789abcdef"
	const key2 = "Zm9vYmFy%2Bc2VjcmV0" // "Zm9vYmFy+c2VjcmV0" escaped
	for _, tc := range []struct {
		url  string
		want []string
	}{
		{"https://h/v3/" + key1 + "?apikey=" + key2 + "&chain=1",
			[]string{key1, key2, "Zm9vYmFy+c2VjcmV0"}},
		{"https://h/rpc/v1?key=short&x=&y", nil},
		{"https://h/?" + key1 + "&long_query_name=1", []string{key1}},
		{"https://h/a%20long%20name/", []string{"a%20long%20name", "a long name"}},
		{"https://h/%41%42%43%44%45", nil}, // "ABCDE": short, however it is escaped
		{"https://u:p@h/v3", []string{"u", "p", base64.StdEncoding.EncodeToString([]byte("u:p"))}},
		{"https://user@h", []string{"user", base64.StdEncoding.EncodeToString([]byte("user:"))}},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		got := urlSecrets(u)
		for i := 1; i < len(got); i++ {
			if len(got[i]) > len(got[i-1]) {
				t.Errorf("%s: secrets %q are not longest first", tc.url, got)
			}
		}
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("urlSecrets(%s) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

// replaceAll is what newScrubReader must read: strings.ReplaceAll for each
// non-empty secret in turn.
func replaceAll(in string, secrets []string, repl string) string {
	for _, s := range secrets {
		if s != "" {
			in = strings.ReplaceAll(in, s, repl)
		}
	}
	return in
}

// chunkReader returns data in reads of the sizes given, in turn (cycling), each
// at least 1.
type chunkReader struct {
	data  []byte
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), max(1, c.sizes[c.i%len(c.sizes)]))
	c.i++
	n = copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// A scrub reader replaces every secret, wherever the source's reads cut it (at
// every boundary, byte by byte, in halves), including secrets next to each other,
// overlapping, and inside another.
func TestScrubReader(t *testing.T) {
	const key = "0123456789abcdef"
	secrets := []string{key + "XY", key, "cdef01", ""}
	inputs := []string{
		"",
		key,
		"a" + key + "b" + key + key + "c",
		"head " + key + "XY" + key[:15] + " " + key[:10] + "cdef01 tail",
		strings.Repeat("01234567", 40) + key,
		strings.Repeat(key[:15], 30),
	}
	for _, in := range inputs {
		want := replaceAll(in, secrets, "...")
		for _, src := range readersOf(in) {
			got, err := io.ReadAll(newScrubReader(src.r, secrets, "..."))
			if err != nil || string(got) != want {
				t.Errorf("%s of %q: read %q, %v; want %q", src.name, in, got, err, want)
			}
		}
		if err := iotest.TestReader(newScrubReader(strings.NewReader(in), secrets, "..."), []byte(want)); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	// No secret: the source itself.
	src := strings.NewReader(key)
	if r := newScrubReader(src, []string{""}, "..."); r != io.Reader(src) {
		t.Errorf("with no secret the reader is %T, want the source", r)
	}
	// A source's error other than EOF is returned after what was read before it.
	boom := errors.New("boom")
	got, err := io.ReadAll(newScrubReader(io.MultiReader(strings.NewReader("a"+key+"b"), iotest.ErrReader(boom)), secrets, "..."))
	if !errors.Is(err, boom) || !strings.HasPrefix("a...b", string(got)) {
		t.Errorf("read %q, %v; want a prefix of a...b and %v", got, err, boom)
	}
}

type namedReader struct {
	name string
	r    io.Reader
}

// readersOf reads in with its reads cut at every position, one byte at a time,
// in halves, and with data along with EOF.
func readersOf(in string) []namedReader {
	rs := []namedReader{
		{"one byte reads", iotest.OneByteReader(strings.NewReader(in))},
		{"half reads", iotest.HalfReader(strings.NewReader(in))},
		{"data with EOF", iotest.DataErrReader(strings.NewReader(in))},
		{"one byte reads, data with EOF", iotest.DataErrReader(iotest.OneByteReader(strings.NewReader(in)))},
	}
	for cut := 1; cut < len(in); cut++ {
		rs = append(rs, namedReader{"reads cut at " + strconv.Itoa(cut),
			&chunkReader{data: []byte(in), sizes: []int{cut, len(in)}}})
	}
	return rs
}

// What a scrub reader reads equals strings.ReplaceAll of each secret in turn,
// for any input, secrets and cutting of the source's reads and of the reader's.
func FuzzScrubReader(f *testing.F) {
	f.Add([]byte("x0123456789abcdef0123456789abcdefy"), "0123456789abcdef", "89abcdef01", []byte{3, 1, 7})
	f.Add([]byte("aaaaaaaaab"), "aab", "a", []byte{1})
	f.Add([]byte(""), "", "k", []byte{})
	f.Fuzz(func(t *testing.T, data []byte, s1, s2 string, cuts []byte) {
		secrets := []string{s1, s2}
		want := replaceAll(string(data), secrets, "...")
		sizes := []int{len(data) + 1} // one read, unless cuts says otherwise
		if len(cuts) > 0 {
			sizes = sizes[:0]
		}
		for _, c := range cuts {
			sizes = append(sizes, int(c%32))
		}
		r := newScrubReader(&chunkReader{data: data, sizes: sizes}, secrets, "...")
		var got bytes.Buffer
		p := make([]byte, 64)
		for i := 0; ; i++ {
			n, err := r.Read(p[:1+i%len(p)])
			got.Write(p[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i > 8*(len(want)+len(data))+1000 {
				t.Fatal("the reader does not end")
			}
		}
		if got.String() != want {
			t.Errorf("secrets %q of %q: read %q, want %q", secrets, data, got.String(), want)
		}
	})
}

// BenchmarkScrubReader reads a 1 MiB hex result through the scrub readers of an
// RPC URL with a path key, a query key and user info (5 secrets), against reading
// it as is (through a plain io.Reader, as an HTTP body is read) and against what
// the client does with such a body anyway (decode it as a JSON-RPC hex result).
func BenchmarkScrubReader(b *testing.B) {
	u, err := url.Parse("https://user0123:password0123@h/v3/0123456789abcdef0123456789abcdef?apikey=QUERYKEY0123456789abcdef")
	if err != nil {
		b.Fatal(err)
	}
	secrets := urlSecrets(u)
	body := bytes.Repeat([]byte("0123456789abcdef0123456789abcde"), (1<<20)/31)
	for _, bc := range []struct {
		name    string
		secrets []string
	}{{"plain", nil}, {"5 secrets", secrets}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				r := struct{ io.Reader }{bytes.NewReader(body)} // no WriterTo: read as a body is
				if _, err := io.Copy(io.Discard, newScrubReader(r, bc.secrets, "...")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("json decode", func(b *testing.B) {
		msg := []byte(`{"jsonrpc":"2.0","id":1,"result":"0x` + string(body[:len(body)/2*2]) + `"}`)
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var m struct{ Result hexutil.Bytes }
			if err := json.Unmarshal(msg, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
