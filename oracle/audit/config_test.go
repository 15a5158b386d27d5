package audit_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// Run refuses an audit it cannot find the verdict of, naming the fields to set:
// neither a verdict nor a machine, a machine with neither a registry nor a
// database to look it up in, a machine the database holds no verdict of, and a
// database it cannot open.
func TestRunRefusalsNameTheirFields(t *testing.T) {
	dir := t.TempDir()
	id := common.HexToHash("0x11")
	for _, tc := range []struct {
		name   string
		cfg    audit.Config
		fields []string
		cause  error
	}{
		{"nothing to audit", audit.Config{DB: filepath.Join(dir, "a.db")}, []string{"VerdictHash", "MachineID"}, nil},
		{"no lookup", audit.Config{Node: "http://127.0.0.1:1", MachineID: id}, []string{"MachineID", "Registry", "DB"}, nil},
		{"not archived", audit.Config{DB: filepath.Join(dir, "b.db"), MachineID: id}, []string{"MachineID"}, store.ErrNotFound},
		{"no database", audit.Config{DB: dir, VerdictHash: id}, []string{"DB"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audit.Run(context.Background(), tc.cfg)
			var fe *fielderr.Error
			if !errors.As(err, &fe) || !slices.Equal(fe.Fields, tc.fields) {
				t.Fatalf("%v, want a fielderr.Error about %v", err, tc.fields)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("%v, want %v", err, tc.cause)
			}
		})
	}
}
