package devnet

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/internal/fielderr"
)

// Check reads zero values as their defaults and refuses what a devnet cannot run
// with, naming the fields concerned.
func TestOptionsCheck(t *testing.T) {
	for _, ok := range []Options{{}, {Anvil: true, BlockInterval: 2 * time.Second}, {SNPMachines: -1, TDXMachines: 2}, {Oracles: 16, Threshold: 16}, {Oracles: 3}, {SNPMachines: -1, TDXMachines: -1}} {
		if err := ok.Check(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, tc := range []struct {
		opts   Options
		fields []string
	}{
		{Options{Anvil: true, BlockInterval: 500 * time.Millisecond}, []string{"BlockInterval"}},
		{Options{Oracles: 2, Threshold: 3}, []string{"Oracles", "Threshold"}},
		{Options{Threshold: 2}, []string{"Oracles", "Threshold"}},
		{Options{Oracles: 17, Threshold: 2}, []string{"Oracles", "Threshold"}},
		{Options{Validity: 9 * time.Second}, []string{"Validity"}},
	} {
		var oe *fielderr.Error
		if err := tc.opts.Check(); !errors.As(err, &oe) || !slices.Equal(oe.Fields, tc.fields) {
			t.Errorf("%+v: %v, want a fielderr.Error naming %v", tc.opts, err, tc.fields)
		}
	}
}
