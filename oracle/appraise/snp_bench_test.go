package appraise

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/validate"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Run with:
//
//	go test ./oracle/appraise -run '^$' -bench 'SNP' -benchmem
//
// BenchmarkVerifySNP and BenchmarkLibrarySNP work on the same real reports; compare
// their ns/op per sub-benchmark (the library cannot verify Turin at all).

// BenchmarkVerifySNP is our full SEV-SNP appraisal with warm caches: report format,
// chain (remembered after the first report), validity as of asOf, signature (every
// time), CHIP_ID, TCB, facts and the evidence hash.
func BenchmarkVerifySNP(b *testing.B) {
	for _, vec := range []func(testing.TB) snpVector{milanVector, vlekVector, turinVector} {
		v := vec(b)
		b.Run(v.name, func(b *testing.B) {
			a := newProdSNP(b, nil)
			ev := v.evidence()
			ctx := context.Background()
			if ap, err := a.Appraise(ctx, ev, v.asOf); err != nil || !ap.Authentic {
				b.Fatalf("appraise: %v", err)
			}
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if _, err := a.Appraise(ctx, ev, v.asOf); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}

// BenchmarkLibrarySNP calls go-sev-guest as a user would on the same reports:
// abi.ReportToProto, verify.SnpAttestation with the VCEK and ASK/ARK from a local
// getter serving the saved certificates (the VLEK, which KDS does not serve, in the
// attestation, and the ASVK as a trusted root since the defaults lack it), then
// validate.SnpAttestation with a policy the report meets.
func BenchmarkLibrarySNP(b *testing.B) {
	b.Run("milan-v2", func(b *testing.B) {
		v := milanVector(b)
		r, err := abi.ReportToProto(v.report)
		if err != nil {
			b.Fatal(err)
		}
		getter := mapGetter{
			"https://kdsintf.amd.com/vcek/v1/Milan/cert_chain":                trust.AskArkMilanVcekBytes,
			kds.VCEKCertURL("Milan", r.ChipId, kds.TCBVersion(r.ReportedTcb)): v.cert,
		}
		product := &spb.SevProduct{Name: spb.SevProduct_SEV_PRODUCT_MILAN, MachineStepping: wrapperspb.UInt32(0)}
		policy := &validate.Options{GuestPolicy: abi.SnpPolicy{Debug: true, SMT: true, MigrateMA: true}}
		libraryLoop(b, func() error {
			report, err := abi.ReportToProto(v.report)
			if err != nil {
				return err
			}
			att := &spb.Attestation{Report: report}
			if err := verify.SnpAttestation(att, &verify.Options{Getter: getter, Now: v.asOf, Product: product}); err != nil {
				return err
			}
			return validate.SnpAttestation(att, policy)
		})
	})
	b.Run("vlek-milan-v3", func(b *testing.B) {
		v := vlekVector(b)
		root := trust.AMDRootCertsProduct("Milan")
		if err := root.FromKDSCertBytes(trust.AskArkMilanVlekBytes); err != nil {
			b.Fatal(err)
		}
		der := parseDERorPEMTB(b, v.cert)
		policy := &validate.Options{GuestPolicy: abi.SnpPolicy{SMT: true, MigrateMA: true, Debug: true}, PermitProvisionalFirmware: true}
		libraryLoop(b, func() error {
			report, err := abi.ReportToProto(v.report)
			if err != nil {
				return err
			}
			att := &spb.Attestation{Report: report, CertificateChain: &spb.CertificateChain{VlekCert: der}}
			if err := verify.SnpAttestation(att, &verify.Options{Now: v.asOf, DisableCertFetching: true,
				TrustedRoots: map[string][]*trust.AMDRootCerts{"Milan": {root}}}); err != nil {
				return err
			}
			return validate.SnpAttestation(att, policy)
		})
	})
}

func libraryLoop(b *testing.B, run func() error) {
	b.Helper()
	trust.ClearProductCertCache()
	if err := run(); err != nil {
		b.Fatalf("library: %v", err)
	}
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// cpuClock measures the process's CPU time (user + system) over a benchmark loop and
// reports it as cpu-ns/op. The machine these run on is shared, so wall-clock ns/op
// swings with other load; CPU time per operation does not, and it is what bounds
// throughput on a busy node.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{start: processCPU()} }

func (c cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}

func parseDERorPEMTB(b *testing.B, in []byte) []byte {
	c, err := trust.ParseCert(in)
	if err != nil {
		b.Fatal(err)
	}
	return c.Raw
}

// BenchmarkVerifySNPParallel is BenchmarkVerifySNP (Milan) on every core: Appraise is
// safe for concurrent use.
func BenchmarkVerifySNPParallel(b *testing.B) {
	v := milanVector(b)
	a := newProdSNP(b, nil)
	ev := v.evidence()
	if _, err := a.Appraise(context.Background(), ev, v.asOf); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := startCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ap, err := a.Appraise(context.Background(), ev, v.asOf); err != nil || !ap.Authentic {
				b.Errorf("appraise: %v", err)
			}
		}
	})
	cpu.report(b)
}

// BenchmarkAppraiseAllSNP appraises batches of 64 reports with AppraiseAll.
func BenchmarkAppraiseAllSNP(b *testing.B) {
	v := milanVector(b)
	a := newProdSNP(b, nil)
	evs := make([]*evidence.Evidence, 64)
	for i := range evs {
		evs[i] = v.evidence()
	}
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		_, errs := AppraiseAll(context.Background(), a, evs, v.asOf, 0)
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu.report(b)
}
