package fielderr

import (
	"errors"
	"fmt"
	"testing"
)

// Describe tells the fields by the names given, in Format's places or alone,
// followed by the cause; errors.Is and errors.As see through it.
func TestDescribe(t *testing.T) {
	cause := errors.New("required")
	flags := map[string]string{"DB": "--db", "Key.KeyFile": "--key-file", "Oracles": "--oracle"}
	for _, tc := range []struct {
		err        *Error
		plain, got string
	}{
		{New(cause, "", "DB"), "DB: required", "--db: required"},
		{New(nil, "give %s or %s, not both", "Key.KeyFile", "DB"), "give Key.KeyFile or DB, not both", "give --key-file or --db, not both"},
		{New(cause, "", "Oracles", "Threshold"), "Oracles Threshold: required", "--oracle Threshold: required"},
		{New(nil, "%s "+Value("50%")+": too much", "DB"), "DB 50%: too much", "--db 50%: too much"},
	} {
		got := tc.err.Describe(func(f string) string {
			if n, ok := flags[f]; ok {
				return n
			}
			return f
		})
		if tc.err.Error() != tc.plain || got != tc.got {
			t.Errorf("%+v: %q and %q, want %q and %q", tc.err, tc.err.Error(), got, tc.plain, tc.got)
		}
	}
	var fe *Error
	wrapped := fmt.Errorf("ctx: %w", New(cause, "", "DB"))
	if !errors.As(wrapped, &fe) || !errors.Is(wrapped, cause) || fe.Fields[0] != "DB" {
		t.Errorf("errors.As/Is through %v", wrapped)
	}
}
