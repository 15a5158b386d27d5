package verdict_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Two SEV-SNP TCBs that differ only in their low byte: equal as float64, so a
// comparison through decoded JSON numbers missed them.
func TestDiffTCBLowBytes(t *testing.T) {
	a := verdict.Verdict{TCB: 0xD500000000000003}
	b := verdict.Verdict{TCB: 0xD500000000000004}
	if float64(a.TCB) != float64(b.TCB) {
		t.Fatal("the two TCBs no longer collide as float64; the test lost its point")
	}
	d := verdict.Diff(&a, &b)
	if len(d) != 1 || !strings.HasPrefix(d[0], "tcb: ") {
		t.Fatalf("Diff = %q, want one tcb difference", d)
	}
}

// Every field of Verdict is compared: changing any one of them gives exactly one
// difference, and equal verdicts give none.
func TestDiffEveryField(t *testing.T) {
	var base verdict.Verdict
	if d := verdict.Diff(&base, &base); d != nil {
		t.Fatalf("Diff of equal verdicts = %q", d)
	}
	typ := reflect.TypeOf(base)
	for i := 0; i < typ.NumField(); i++ {
		t.Run(typ.Field(i).Name, func(t *testing.T) {
			other := base
			f := reflect.ValueOf(&other).Elem().Field(i)
			switch f.Kind() {
			case reflect.Uint8, reflect.Uint64:
				f.SetUint(1)
			case reflect.Array:
				f.Index(f.Len() - 1).SetUint(1)
			default:
				t.Fatalf("field of kind %s: teach this test to change it", f.Kind())
			}
			if d := verdict.Diff(&base, &other); len(d) != 1 {
				t.Fatalf("Diff = %q, want one difference", d)
			}
		})
	}
}
