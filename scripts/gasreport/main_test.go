package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/internal/testchain"
)

// goals are the upper bounds on whole-transaction gas. The batch goal is
// met by a batch whose machines run one image (a provider's fleet), whose interned
// workload pair is read warm after the batch's first verdict (docs/gas.md).
var goals = map[string]int64{
	opReattestBatch1of1:   45_000,
	opBatch100SharedImage: 12_000,
	opIsTrusted:           5_000,
	opIsTrustedFor:        7_500,
}

// ceilings bound figures that have no goal of their own but must not regress: the
// batch of 100 where every machine runs its own image (each verdict reads its own
// workload pair cold) is above the batch goal, and reported beside it.
var ceilings = map[string]int64{
	opBatch100OwnImages: 14_200,
}

var wantOrder = []string{opRegister, opAuthorizeKey, opFirstVerdict, opReattest1of1, opReattestBatch1of1, opReattest2of3, opBatch50PerVerdict, opBatch100SharedImage, opBatch100OwnImages, opIsTrusted, opIsTrustedColdCall, opIsTrustedFor}

func measureSimulated(t *testing.T) []Figure {
	t.Helper()
	sim := testchain.NewSimulated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	figs, err := measure(ctx, &gasChain{client: sim.Client(), mine: func(context.Context) error { sim.Commit(); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return figs
}

func byName(figs []Figure) map[string]Figure {
	m := map[string]Figure{}
	for _, f := range figs {
		m[f.Name] = f
	}
	return m
}

// TestGasGoals asserts the whole-transaction figures against the goals. Gas is
// deterministic for the same contract, calldata and fork, so this is an exact
// check, not a timing.
func TestGasGoals(t *testing.T) {
	figs := measureSimulated(t)
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
		t.Logf("%s %d (calldata %d)", f.Name, f.Gas, f.CalldataGas)
	}
	if strings.Join(names, " ") != strings.Join(wantOrder, " ") {
		t.Fatalf("operations %v, want %v", names, wantOrder)
	}
	m := byName(figs)
	for name, goal := range goals {
		if got := m[name].Gas; got > goal {
			t.Errorf("%s uses %d gas, goal at most %d", name, got, goal)
		}
	}
	for name, c := range ceilings {
		if got := m[name].Gas; got > c {
			t.Errorf("%s uses %d gas, more than its ceiling %d", name, got, c)
		}
	}
	// The shared image is what makes the batch goal: the same batch with every machine
	// on its own image must cost more by about the cold read of each verdict's pair.
	if d := m[opBatch100OwnImages].Gas - m[opBatch100SharedImage].Gas; d < 1_500 || d > 2_500 {
		t.Errorf("own-image batch %d, shared-image batch %d: want the own-image one dearer by about a cold read (2,000)",
			m[opBatch100OwnImages].Gas, m[opBatch100SharedImage].Gas)
	}
	// Sanity bounds that catch a broken measurement rather than a costly contract:
	// every transaction pays the 21,000 base; the gate costs at least a call.
	for _, n := range []string{opRegister, opAuthorizeKey, opFirstVerdict, opReattest1of1, opReattest2of3} {
		if m[n].Gas < 21_000 {
			t.Errorf("%s = %d, below the 21,000 every transaction pays", n, m[n].Gas)
		}
	}
	if m[opIsTrusted].Gas < 2*2100 || m[opIsTrustedColdCall].Gas-m[opIsTrusted].Gas != 2500 {
		t.Errorf("is_trusted %d, incl. cold call %d: want at least two cold storage reads, and exactly the EIP-2929 cold-account surcharge (2600-100) between them",
			m[opIsTrusted].Gas, m[opIsTrustedColdCall].Gas)
	}
	if m[opReattest2of3].Gas <= m[opReattest1of1].Gas {
		t.Errorf("2-of-3 re-attestation (%d) not dearer than 1-of-1 (%d): the second signature was not checked", m[opReattest2of3].Gas, m[opReattest1of1].Gas)
	}
}

// TestGasOnAnvilMatchesSimulated runs the same operations on anvil (Osaka, as the
// simulated chain) and shows the figures match: everything but calldata is equal
// to the gas, and calldata differs only by the zero bytes of chain-specific hashes
// and signatures.
func TestGasOnAnvilMatchesSimulated(t *testing.T) {
	a := testchain.StartAnvil(t, "--hardfork", "osaka")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	onAnvil, err := measure(ctx, &gasChain{client: a.Client, autoMines: true,
		mine: devMiner(a.Client.Client())})
	if err != nil {
		t.Fatalf("%v\nanvil output:\n%s", err, a.Output())
	}
	sim := byName(measureSimulated(t))
	for _, f := range onAnvil {
		s := sim[f.Name]
		t.Logf("%-26s anvil %7d  simulated %7d  (calldata %d / %d)", f.Name, f.Gas, s.Gas, f.CalldataGas, s.CalldataGas)
		if f.NonCalldata != s.NonCalldata {
			t.Errorf("%s: gas beyond calldata is %d on anvil, %d on the simulated chain", f.Name, f.NonCalldata, s.NonCalldata)
		}
		// A 32-byte hash or signature word with one zero byte more or less moves
		// calldata by 12; allow a few such bytes per figure, no more.
		if d := f.Gas - s.Gas; d < -60 || d > 60 {
			t.Errorf("%s: %d on anvil, %d on the simulated chain", f.Name, f.Gas, s.Gas)
		}
		if goal, ok := goals[f.Name]; ok && f.Gas > goal {
			t.Errorf("%s on anvil uses %d gas, goal at most %d", f.Name, f.Gas, goal)
		}
	}
}

// TestReportFormat: the program prints exactly one `<name> <gasUsed>` line per
// operation, in order.
func TestReportFormat(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	line := regexp.MustCompile(`^([a-z0-9_]+) ([0-9]+)$`)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(wantOrder) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(wantOrder), out.String())
	}
	for i, l := range lines {
		m := line.FindStringSubmatch(l)
		if m == nil || m[1] != wantOrder[i] {
			t.Fatalf("line %d %q, want %q <gas>", i, l, wantOrder[i])
		}
		if n, err := strconv.ParseInt(m[2], 10, 64); err != nil || n <= 0 {
			t.Fatalf("line %d %q: gas not a positive integer", i, l)
		}
	}
	if err := run(context.Background(), []string{"extra"}, &out, &errOut); err == nil {
		t.Fatal("stray argument accepted")
	}
}
