package verifier

import (
	"bytes"
	"encoding/base64"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
)

// fastRequestJSON decodes a request in the form every encoder of it writes
// (Request.MarshalJSON, wasm/teeoracle.mjs): field names spelt exactly, each at most
// once, strings of printable ASCII without escapes, no nulls, integers as plain
// digits. It gives exactly what encoding/json gives for such input, without
// reflection and in one pass: in WebAssembly encoding/json's decoding of a TDX
// request (some 40 KB of base64) was 8% of a verification in Chromium's profile
// (docs/wasm.md, Time). Any other input, valid or not, it declines (ok false), and
// decodeRequestJSON decodes it with encoding/json, so that what is accepted and
// every error message are encoding/json's. FuzzFastRequestJSON holds the two to
// the same result.
func fastRequestJSON(data []byte) (rj *requestJSON, ok bool) {
	d := fastDecoder{b: data}
	rj = &requestJSON{}
	seen := map[string]bool{}
	ok = d.object(func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		switch key {
		case "evidence":
			return d.bytesField(&rj.Evidence)
		case "evidence_name":
			return d.stringField(&rj.EvidenceName)
		case "certificates":
			return d.bytesList(&rj.Certificates)
		case "collateral":
			rj.Collateral = &collateralJSON{}
			return d.collateral(rj.Collateral)
		case "policy":
			return d.bytesField(&rj.Policy)
		case "at":
			return d.stringField(&rj.At)
		case "chain_id":
			return d.uint64Field(&rj.ChainID)
		case "registry":
			rj.Registry = new(common.Address)
			return d.unmarshaler(rj.Registry.UnmarshalJSON)
		case "binding":
			rj.Binding = &bindingJSON{}
			return d.binding(rj.Binding)
		case "report_data":
			return d.unmarshaler(rj.ReportData.UnmarshalJSON)
		}
		return false
	})
	d.space()
	if !ok || d.i != len(d.b) {
		return nil, false
	}
	return rj, true
}

// fastDecoder reads data from b[i:]; each method reports whether the input is of
// the canonical form, and leaves i after what it read.
type fastDecoder struct {
	b []byte
	i int
}

func (d *fastDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// consume skips white space and then c.
func (d *fastDecoder) consume(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object reads {"key": value, ...}, calling field for each key with i at its value.
func (d *fastDecoder) object(field func(key string) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	for {
		key, ok := d.plainString()
		if !ok || !d.consume(':') || !field(string(key)) {
			return false
		}
		if d.consume('}') {
			return true
		}
		if !d.consume(',') {
			return false
		}
	}
}

// array reads [value, ...], calling elem with i at each value.
func (d *fastDecoder) array(elem func() bool) bool {
	if !d.consume('[') {
		return false
	}
	if d.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.consume(']') {
			return true
		}
		if !d.consume(',') {
			return false
		}
	}
}

// rawString reads a string without escapes and returns what is between its quotes,
// which may still hold any byte but '"' and '\'.
func (d *fastDecoder) rawString() ([]byte, bool) {
	if !d.consume('"') {
		return nil, false
	}
	end := bytes.IndexByte(d.b[d.i:], '"')
	if end < 0 {
		return nil, false
	}
	s := d.b[d.i : d.i+end]
	if bytes.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	d.i += end + 1
	return s, true
}

// plainString reads a string of printable ASCII without escapes: what encoding/json
// unquotes to the same bytes.
func (d *fastDecoder) plainString() ([]byte, bool) {
	s, ok := d.rawString()
	if !ok {
		return nil, false
	}
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			return nil, false
		}
	}
	return s, true
}

func (d *fastDecoder) stringField(dst *string) bool {
	s, ok := d.plainString()
	*dst = string(s)
	return ok
}

// bytesField decodes a base64 string as encoding/json decodes one into a []byte.
func (d *fastDecoder) bytesField(dst *[]byte) bool {
	s, ok := d.rawString()
	// base64 skips '\r' and '\n', which a JSON string cannot hold unescaped; any
	// other byte outside its alphabet is an error.
	if !ok || bytes.IndexByte(s, '\r') >= 0 || bytes.IndexByte(s, '\n') >= 0 {
		return false
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, s)
	if err != nil {
		return false
	}
	*dst = b[:n]
	return true
}

func (d *fastDecoder) bytesList(dst *[][]byte) bool {
	*dst = [][]byte{}
	return d.array(func() bool {
		var b []byte
		if !d.bytesField(&b) {
			return false
		}
		*dst = append(*dst, b)
		return true
	})
}

// uint64Field reads digits without a leading zero, as strconv.ParseUint takes them.
func (d *fastDecoder) uint64Field(dst *uint64) bool {
	d.space()
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	digits := d.b[start:d.i]
	if len(digits) == 0 || (len(digits) > 1 && digits[0] == '0') {
		return false
	}
	v, err := strconv.ParseUint(string(digits), 10, 64)
	*dst = v
	return err == nil
}

// unmarshaler passes a plain string, quotes and all, to a json.Unmarshaler, as
// encoding/json does.
func (d *fastDecoder) unmarshaler(unmarshal func([]byte) error) bool {
	d.space()
	start := d.i
	if _, ok := d.plainString(); !ok {
		return false
	}
	return unmarshal(d.b[start:d.i]) == nil
}

func (d *fastDecoder) collateral(c *collateralJSON) bool {
	seen := map[string]bool{}
	return d.object(func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		switch key {
		case "snp_crls":
			return d.bytesList(&c.SNPCRLs)
		case "snp_vceks":
			return d.bytesList(&c.SNPVCEKs)
		case "tdx_dcap_qvl":
			return d.bytesField(&c.TDXDcapQVL)
		case "tdx_set":
			return d.bytesField(&c.TDXSet)
		case "tdx_pcs":
			c.TDXPCS = map[string][]byte{}
			return d.object(func(name string) bool {
				if _, dup := c.TDXPCS[name]; dup {
					return false
				}
				var b []byte
				if !d.bytesField(&b) {
					return false
				}
				c.TDXPCS[name] = b
				return true
			})
		}
		return false
	})
}

func (d *fastDecoder) binding(b *bindingJSON) bool {
	seen := map[string]bool{}
	return d.object(func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		switch key {
		case "machine_id":
			b.MachineID = new(common.Hash)
			return d.unmarshaler(b.MachineID.UnmarshalJSON)
		case "tee_key":
			b.TEEKey = new(common.Address)
			return d.unmarshaler(b.TEEKey.UnmarshalJSON)
		case "anchor_block_number":
			b.AnchorBlockNumber = new(uint64)
			return d.uint64Field(b.AnchorBlockNumber)
		case "anchor_block_hash":
			b.AnchorBlockHash = new(common.Hash)
			return d.unmarshaler(b.AnchorBlockHash.UnmarshalJSON)
		}
		return false
	})
}
