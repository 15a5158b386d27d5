package verdict

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

func rep(b byte) common.Hash { return common.BytesToHash(bytes.Repeat([]byte{b}, 32)) }

// katVerdict is the verdict whose hashes were computed independently with Foundry's
// cast (abi-encode and keccak over the type string of docs/verdict-encoding.md):
//
//	TH=$(cast keccak "Verdict(...)")
//	cast keccak $(cast abi-encode "f(bytes32,bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64)" $TH 0x11..11 2 1 0x22..22 0x33..33 5 73014705157 0x44..44 0x55..55 123456 0x66..66 1700000000 1700086400 9223372036854775813)
func katVerdict() Verdict {
	return Verdict{
		MachineID:         rep(0x11),
		TEE:               TEETDX,
		Status:            StatusTrusted,
		TEEKey:            common.BytesToAddress(bytes.Repeat([]byte{0x22}, 20)),
		WorkloadID:        rep(0x33),
		TCBStatus:         5,
		TCB:               73014705157,
		PolicyHash:        rep(0x44),
		EvidenceHash:      rep(0x55),
		AnchorBlockNumber: 123456,
		AnchorBlockHash:   rep(0x66),
		IssuedAt:          1700000000,
		ExpiresAt:         1700086400,
		Reasons:           9223372036854775813,
	}
}

var katDomain = Domain{ChainID: 31337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")}

func TestKnownAnswers(t *testing.T) {
	v := katVerdict()
	for _, tc := range []struct {
		name string
		got  common.Hash
		want string
	}{
		{"struct hash", v.StructHash(), "0x1975e0cfd0e8a18ed7f1f7a1fb1bfcf92e9ebf1379ea7b168102dddb8bab7753"},
		{"domain separator", katDomain.Separator(), "0x8ac23f833efd55cbaa7baaa357940b0b8b403d62ed948f0599a1257e04f2ba02"},
		{"digest", v.Digest(katDomain), "0x42f9483983209dbb7af8f8f5c3b5806625078d2beab420698ceba6f36a3ec9a5"},
	} {
		if tc.got != common.HexToHash(tc.want) {
			t.Errorf("%s = %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

func TestReportDataKnownAnswer(t *testing.T) {
	// cast keccak $(cast abi-encode "f(bytes32,uint256,address,bytes32,address,uint64,bytes32)" \
	//   $(cast keccak teeoracle.reportdata.v1) 31337 0x5FbD...0aa3 0x11..11 0x22..22 123456 0x66..66)
	got := ReportData(31337, katDomain.Registry, rep(0x11), common.BytesToAddress(bytes.Repeat([]byte{0x22}, 20)), 123456, rep(0x66))
	want := common.FromHex("0x39d73b4962861b7b2dbc8e73abf55020ad414e61c4318f3289ab934084552e44")
	if !bytes.Equal(got[:32], want) {
		t.Errorf("report data[0:32] = %x, want %x", got[:32], want)
	}
	if !bytes.Equal(got[32:], make([]byte, 32)) {
		t.Errorf("report data[32:64] = %x, want zero", got[32:])
	}
	// cast keccak $(cast concat-hex $(cast keccak teeoracle.possession.v2) <report data[0:32] above> 0x55..55)
	b := Binding{31337, katDomain.Registry, rep(0x11), common.BytesToAddress(bytes.Repeat([]byte{0x22}, 20)), 123456, rep(0x66)}
	if d, want := b.PossessionDigest(rep(0x55)), common.HexToHash("0x41bc4bc9fa2d51570e6b1035ce878f7b3efd0e0f5c4f074334efd2e0b9d1ff7a"); d != want {
		t.Errorf("possession digest = %s, want %s", d, want)
	}
}

func TestReportDataEveryInputMatters(t *testing.T) {
	base := Binding{1, common.Address{1}, rep(2), common.Address{3}, 4, rep(5)}
	ref := base.ReportData()
	mut := []func(*Binding){
		func(b *Binding) { b.ChainID++ },
		func(b *Binding) { b.Registry[19] ^= 1 },
		func(b *Binding) { b.MachineID[0] ^= 1 },
		func(b *Binding) { b.TEEKey[0] ^= 1 },
		func(b *Binding) { b.AnchorBlockNumber++ },
		func(b *Binding) { b.AnchorBlockHash[31] ^= 1 },
	}
	for i, m := range mut {
		b := base
		m(&b)
		if b.ReportData() == ref {
			t.Errorf("mutation %d left report data unchanged", i)
		}
	}
}

func TestWorkloadIDKnownAnswers(t *testing.T) {
	snp, err := WorkloadIDSNP(bytes.Repeat([]byte{0xab}, 48))
	if err != nil {
		t.Fatal(err)
	}
	if want := common.HexToHash("0xa0e049a54e812261d068b9a458611457619cba21711682e6f15a0bfd6144d1f4"); snp != want {
		t.Errorf("snp workload id = %s, want %s", snp, want)
	}
	var rtmr [4][]byte
	for i := range rtmr {
		rtmr[i] = bytes.Repeat([]byte{byte(i + 2)}, 48)
	}
	tdx, err := WorkloadIDTDX(bytes.Repeat([]byte{1}, 48), rtmr)
	if err != nil {
		t.Fatal(err)
	}
	if want := common.HexToHash("0xed4ee3539318053a18a45c99f08dc796cc79d2ccbbacf286102f206a23d52b99"); tdx != want {
		t.Errorf("tdx workload id = %s, want %s", tdx, want)
	}
	// Version 2, computed with Foundry's cast keccak over the hand-built preimages
	// of docs/verdict-encoding.md.
	var d [32]byte
	copy(d[:], bytes.Repeat([]byte{0xd1}, 32))
	snp2, err := WorkloadIDV2SNP(bytes.Repeat([]byte{0xab}, 48), d)
	if err != nil {
		t.Fatal(err)
	}
	if want := common.HexToHash("0xee33a0bba57a75b747c050a211ec08361b063f97fd3638719a675866cc54b096"); snp2 != want {
		t.Errorf("snp v2 workload id = %s, want %s", snp2, want)
	}
	tdx2, err := WorkloadIDV2TDX(bytes.Repeat([]byte{1}, 48), [3][]byte{rtmr[0], rtmr[1], rtmr[2]}, d)
	if err != nil {
		t.Fatal(err)
	}
	if want := common.HexToHash("0xf9a53da7dafca0cb500f170e3be7aa62939f6da033628032fa7043be393f6279"); tdx2 != want {
		t.Errorf("tdx v2 workload id = %s, want %s", tdx2, want)
	}
	if _, err := WorkloadIDV2TDX(bytes.Repeat([]byte{1}, 48), [3][]byte{rtmr[0], rtmr[1][:47], rtmr[2]}, d); !errors.Is(err, ErrMeasurementSize) {
		t.Errorf("47-byte RTMR1: err = %v, want ErrMeasurementSize", err)
	}
	if _, err := WorkloadIDSNP(make([]byte, 47)); !errors.Is(err, ErrMeasurementSize) {
		t.Errorf("47-byte snp measurement: err = %v, want ErrMeasurementSize", err)
	}
	if _, err := WorkloadIDTDX(make([]byte, 48), [4][]byte{make([]byte, 48), nil, make([]byte, 48), make([]byte, 48)}); !errors.Is(err, ErrMeasurementSize) {
		t.Errorf("missing RTMR1: err = %v, want ErrMeasurementSize", err)
	}
}

// typedData builds the go-ethereum apitypes form of v, an independent EIP-712
// implementation to check ours against.
func typedData(v Verdict, d Domain) apitypes.TypedData {
	hx := func(h common.Hash) string { return h.Hex() }
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {
				{Name: "name", Type: "string"}, {Name: "version", Type: "string"},
				{Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"},
			},
			"Verdict": {
				{Name: "machineId", Type: "bytes32"}, {Name: "tee", Type: "uint8"}, {Name: "status", Type: "uint8"},
				{Name: "teeKey", Type: "address"}, {Name: "workloadId", Type: "bytes32"}, {Name: "tcbStatus", Type: "uint8"},
				{Name: "tcb", Type: "uint64"}, {Name: "policyHash", Type: "bytes32"}, {Name: "evidenceHash", Type: "bytes32"},
				{Name: "anchorBlockNumber", Type: "uint64"}, {Name: "anchorBlockHash", Type: "bytes32"},
				{Name: "issuedAt", Type: "uint64"}, {Name: "expiresAt", Type: "uint64"}, {Name: "reasons", Type: "uint64"},
			},
		},
		PrimaryType: "Verdict",
		Domain: apitypes.TypedDataDomain{
			Name: DomainName, Version: DomainVersion,
			ChainId: math.NewHexOrDecimal256(int64(d.ChainID)), VerifyingContract: d.Registry.Hex(),
		},
		Message: apitypes.TypedDataMessage{
			"machineId": hx(v.MachineID), "tee": fmt.Sprint(v.TEE), "status": fmt.Sprint(uint8(v.Status)),
			"teeKey": v.TEEKey.Hex(), "workloadId": hx(v.WorkloadID), "tcbStatus": fmt.Sprint(v.TCBStatus),
			"tcb": fmt.Sprint(v.TCB), "policyHash": hx(v.PolicyHash), "evidenceHash": hx(v.EvidenceHash),
			"anchorBlockNumber": fmt.Sprint(v.AnchorBlockNumber), "anchorBlockHash": hx(v.AnchorBlockHash),
			"issuedAt": fmt.Sprint(v.IssuedAt), "expiresAt": fmt.Sprint(v.ExpiresAt), "reasons": fmt.Sprint(v.Reasons),
		},
	}
}

// RandomVerdict returns a verdict with every field drawn from r.
func randomVerdict(r *rand.Rand) Verdict {
	h := func() (x common.Hash) {
		for i := range x {
			x[i] = byte(r.Uint32())
		}
		return
	}
	var key common.Address
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	return Verdict{
		MachineID: h(), TEE: uint8(1 + r.IntN(2)), Status: Status(1 + r.IntN(2)), TEEKey: key,
		WorkloadID: h(), TCBStatus: uint8(r.IntN(8)), TCB: r.Uint64(), PolicyHash: h(), EvidenceHash: h(),
		AnchorBlockNumber: r.Uint64(), AnchorBlockHash: h(), IssuedAt: r.Uint64(), ExpiresAt: r.Uint64(), Reasons: r.Uint64(),
	}
}

func TestDigestMatchesAPITypes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vs := []Verdict{katVerdict(), {}}
	for range 50 {
		vs = append(vs, randomVerdict(r))
	}
	for i, v := range vs {
		d := Domain{ChainID: r.Uint64() >> 1, Registry: common.Address{byte(i)}}
		want, _, err := apitypes.TypedDataAndHash(typedData(v, d))
		if err != nil {
			t.Fatalf("verdict %d: apitypes: %v", i, err)
		}
		if got := v.Digest(d); !bytes.Equal(got[:], want) {
			t.Errorf("verdict %d: digest %s, apitypes %x", i, got, want)
		}
	}
}

func TestEveryFieldChangesTheHash(t *testing.T) {
	base := katVerdict()
	ref := base.Digest(katDomain)
	val := reflect.ValueOf(&base).Elem()
	for i := range val.NumField() {
		v := base
		f := reflect.ValueOf(&v).Elem().Field(i)
		switch f.Kind() {
		case reflect.Uint8, reflect.Uint64:
			f.SetUint(f.Uint() ^ 1)
		case reflect.Array: // common.Hash, common.Address: flip the last byte
			e := f.Index(f.Len() - 1)
			e.SetUint(e.Uint() ^ 1)
		default:
			t.Fatalf("field %s: unhandled kind %s", val.Type().Field(i).Name, f.Kind())
		}
		if v.Digest(katDomain) == ref {
			t.Errorf("changing %s left the digest unchanged", val.Type().Field(i).Name)
		}
	}
	if base.Digest(Domain{ChainID: katDomain.ChainID + 1, Registry: katDomain.Registry}) == ref {
		t.Error("changing the chain id left the digest unchanged")
	}
	if base.Digest(Domain{ChainID: katDomain.ChainID, Registry: common.Address{1}}) == ref {
		t.Error("changing the registry left the digest unchanged")
	}
}

func TestValidate(t *testing.T) {
	good := katVerdict()
	if err := good.Validate(); err != nil {
		t.Fatalf("valid verdict: %v", err)
	}
	for name, mut := range map[string]func(*Verdict){
		"tee 0":            func(v *Verdict) { v.TEE = 0 },
		"tee 3":            func(v *Verdict) { v.TEE = 3 },
		"status 0":         func(v *Verdict) { v.Status = 0 },
		"status 3":         func(v *Verdict) { v.Status = 3 },
		"empty window":     func(v *Verdict) { v.ExpiresAt = v.IssuedAt },
		"tcb status 8":     func(v *Verdict) { v.TCBStatus = 8 },
		"expires < issued": func(v *Verdict) { v.ExpiresAt = v.IssuedAt - 1 },
	} {
		v := good
		mut(&v)
		if err := v.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func keys(t *testing.T, n int) []*ecdsa.PrivateKey {
	t.Helper()
	out := make([]*ecdsa.PrivateKey, n)
	for i := range out {
		// Deterministic keys keep failures reproducible.
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("oracle key %d", i))))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = k
	}
	return out
}

func TestSignRecoverRoundTrip(t *testing.T) {
	v := katVerdict()
	for i, k := range keys(t, 20) {
		sig, err := SignVerdict(&v, katDomain, k)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != 65 || (sig[64] != 27 && sig[64] != 28) {
			t.Fatalf("key %d: signature %x: want 65 bytes with v 27/28", i, sig)
		}
		if s := new(big.Int).SetBytes(sig[32:64]); s.Cmp(curveHalfN()) > 0 {
			t.Fatalf("key %d: high s", i)
		}
		got, err := Recover(v.Digest(katDomain), sig)
		if err != nil {
			t.Fatal(err)
		}
		if want := crypto.PubkeyToAddress(k.PublicKey); got != want {
			t.Errorf("key %d: recovered %s, want %s", i, got, want)
		}
		// The same signature over another verdict recovers someone else.
		other := v
		other.Reasons++
		if got2, err := Recover(other.Digest(katDomain), sig); err == nil && got2 == got {
			t.Errorf("key %d: signature also verifies for a changed verdict", i)
		}
	}
}

func TestRecoverRejects(t *testing.T) {
	v := katVerdict()
	d := v.Digest(katDomain)
	sig, err := Sign(d, keys(t, 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	highS := bytes.Clone(sig)
	s := new(big.Int).SetBytes(sig[32:64])
	new(big.Int).Sub(curveN(), s).FillBytes(highS[32:64])
	highS[64] ^= 1 // 27 <-> 28: the malleable twin recovers the same key in raw ecrecover
	for name, bad := range map[string][]byte{
		"short":     sig[:64],
		"long":      append(bytes.Clone(sig), 0),
		"v 0":       append(bytes.Clone(sig[:64]), 0),
		"v 29":      append(bytes.Clone(sig[:64]), 29),
		"high s":    highS,
		"zero r":    append(make([]byte, 32), sig[32:]...),
		"zero s":    append(append(bytes.Clone(sig[:32]), make([]byte, 32)...), sig[64]),
		"r too big": append(bytes.Repeat([]byte{0xff}, 32), sig[32:]...),
	} {
		if _, err := Recover(d, bad); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestAssembleAndVerify(t *testing.T) {
	ks := keys(t, 5)
	v := katVerdict()
	d := v.Digest(katDomain)
	var addrs []common.Address
	var sigs [][]byte
	for _, k := range ks {
		addrs = append(addrs, crypto.PubkeyToAddress(k.PublicKey))
		s, err := Sign(d, k)
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, s)
	}
	q := Quorum{Signers: addrs[:4], Threshold: 3} // ks[4] is not an oracle

	t.Run("duplicates and unknown are dropped, order ascending", func(t *testing.T) {
		in := [][]byte{sigs[2], sigs[4], sigs[0], sigs[2], sigs[1], {1, 2, 3}}
		got, err := Assemble(d, in, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %d signatures, want 3", len(got))
		}
		for i := 1; i < len(got); i++ {
			if bytes.Compare(got[i-1].Signer[:], got[i].Signer[:]) >= 0 {
				t.Errorf("signers not ascending: %s then %s", got[i-1].Signer, got[i].Signer)
			}
		}
		if err := Verify(d, Sigs(got), q); err != nil {
			t.Errorf("Verify(Assemble(...)) = %v", err)
		}
	})
	t.Run("below quorum after dedupe", func(t *testing.T) {
		_, err := Assemble(d, [][]byte{sigs[0], sigs[0], sigs[0], sigs[4], sigs[1]}, q)
		if !errors.Is(err, ErrBelowQuorum) {
			t.Fatalf("err = %v, want ErrBelowQuorum", err)
		}
		if !errors.Is(err, ErrUnknownSigner) {
			t.Errorf("err = %v, want it to name the unknown signer", err)
		}
	})
	t.Run("zero threshold never passes", func(t *testing.T) {
		if _, err := Assemble(d, sigs[:2], Quorum{Signers: addrs, Threshold: 0}); !errors.Is(err, ErrBelowQuorum) {
			t.Errorf("err = %v, want ErrBelowQuorum", err)
		}
	})

	sorted, err := Assemble(d, sigs[:4], q)
	if err != nil {
		t.Fatal(err)
	}
	ordered := Sigs(sorted)
	for name, tc := range map[string]struct {
		sigs [][]byte
		want error
	}{
		"duplicate":  {[][]byte{ordered[0], ordered[0], ordered[1]}, ErrNotAscending},
		"descending": {[][]byte{ordered[2], ordered[1], ordered[0]}, ErrNotAscending},
		"unknown":    {[][]byte{ordered[0], ordered[1], sigs[4]}, ErrUnknownSigner},
		"too few":    {ordered[:2], ErrBelowQuorum},
		"bad sig":    {[][]byte{ordered[0], ordered[1], ordered[2][:64]}, ErrBadSignature},
		"none":       {nil, ErrBelowQuorum},
	} {
		if err := Verify(d, tc.sigs, q); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	if err := Verify(d, ordered, q); err != nil {
		t.Errorf("4 of 4 ascending: %v", err)
	}
}

func TestJSONRoundTripAndCanonical(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		v := randomVerdict(r)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back Verdict
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		if back != v {
			t.Fatalf("round trip changed the verdict:\n%+v\n%+v", v, back)
		}
		b2, _ := json.Marshal(back)
		if !bytes.Equal(b, b2) {
			t.Fatalf("not canonical: %s vs %s", b, b2)
		}
	}
	b, _ := json.Marshal(katVerdict())
	want := `{"machineId":"0x1111111111111111111111111111111111111111111111111111111111111111","tee":2,"status":1,"teeKey":"0x2222222222222222222222222222222222222222","workloadId":"0x3333333333333333333333333333333333333333333333333333333333333333","tcbStatus":5,"tcb":"73014705157","policyHash":"0x4444444444444444444444444444444444444444444444444444444444444444","evidenceHash":"0x5555555555555555555555555555555555555555555555555555555555555555","anchorBlockNumber":"123456","anchorBlockHash":"0x6666666666666666666666666666666666666666666666666666666666666666","issuedAt":"1700000000","expiresAt":"1700086400","reasons":"9223372036854775813"}`
	if string(b) != want {
		t.Errorf("canonical json:\n got %s\nwant %s", b, want)
	}
}

func TestJSONRejects(t *testing.T) {
	good, _ := json.Marshal(katVerdict())
	for name, in := range map[string]string{
		"not json":       `{`,
		"missing field":  strings.Replace(string(good), `"reasons":"9223372036854775813"`, `"x":"1"`, 1),
		"unknown field":  strings.Replace(string(good), `{`, `{"extra":1,`, 1),
		"short hash":     strings.Replace(string(good), `"0x1111111111111111111111111111111111111111111111111111111111111111"`, `"0x11"`, 1),
		"no 0x":          strings.Replace(string(good), `"0x2222222222222222222222222222222222222222"`, `"002222222222222222222222222222222222222222"`, 1),
		"bad hex":        strings.Replace(string(good), `"0x2222222222222222222222222222222222222222"`, `"0x22222222222222222222222222222222222222zz"`, 1),
		"leading zero":   strings.Replace(string(good), `"123456"`, `"0123456"`, 1),
		"negative":       strings.Replace(string(good), `"123456"`, `"-1"`, 1),
		"overflow":       strings.Replace(string(good), `"123456"`, `"18446744073709551616"`, 1),
		"number not str": strings.Replace(string(good), `"123456"`, `123456`, 1),
		"tee overflow":   strings.Replace(string(good), `"tee":2`, `"tee":256`, 1),
		// encoding/json matches keys case-insensitively, the last one winning: these
		// decoded with the appended values in place of the canonical ones.
		"key case":     strings.TrimSuffix(string(good), "}") + `,"MACHINEID":"0x` + strings.Repeat("ab", 32) + `","Tee":1}`,
		"repeated key": strings.TrimSuffix(string(good), "}") + `,"tee":1}`,
	} {
		var v Verdict
		// Called directly: json.Unmarshal checks syntax before it reaches our method.
		if err := v.UnmarshalJSON([]byte(in)); !errors.Is(err, ErrJSON) {
			t.Errorf("%s: err = %v, want ErrJSON", name, err)
		}
	}
}

// verdictKeys are the canonical form's keys, in its order.
var verdictKeys = []string{"machineId", "tee", "status", "teeKey", "workloadId", "tcbStatus", "tcb",
	"policyHash", "evidenceHash", "anchorBlockNumber", "anchorBlockHash", "issuedAt", "expiresAt", "reasons"}

// objectKeys returns the keys of data's top-level object as they are spelt, in
// order, repeats included.
func objectKeys(t *testing.T, data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted %q is not an object: %v", data, err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func FuzzVerdictJSON(f *testing.F) {
	good, _ := json.Marshal(katVerdict())
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(strings.TrimSuffix(string(good), "}") + `,"MACHINEID":"0x` + strings.Repeat("ab", 32) + `","Tee":1}`))
	f.Add([]byte(strings.TrimSuffix(string(good), "}") + `,"tee":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v Verdict
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		// Whatever was accepted has the canonical form's keys, each once, spelt as
		// there (their order and white space may differ)...
		keys := objectKeys(t, data)
		if !slices.Equal(slices.Sorted(slices.Values(keys)), slices.Sorted(slices.Values(verdictKeys))) {
			t.Fatalf("accepted keys %q, want each of %q once", keys, verdictKeys)
		}
		// ...and re-encodes to something that decodes to the same.
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back Verdict
		if err := json.Unmarshal(b, &back); err != nil || back != v {
			t.Fatalf("re-decode: %v, %+v vs %+v", err, back, v)
		}
	})
}

func BenchmarkDigest(b *testing.B) {
	v := katVerdict()
	for b.Loop() {
		v.Digest(katDomain)
	}
}
