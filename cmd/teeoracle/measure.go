package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/measure"
)

const measureSNPDescription = `Computes the launch MEASUREMENT an SEV-SNP guest will report, from the
artifacts it is launched with: the OVMF firmware image (with SNP metadata), for
measured direct boot the kernel, initrd and command line QEMU is given
(-kernel/-initrd/-append; the firmware must be an OvmfPkg/AmdSev build), the
number and type of vCPUs, the guest features (SEV_FEATURES) and the VMM.

Prints the measurement and a policy that allows exactly it (--policy-out FILE
writes the policy; an existing file is never overwritten). Register that policy's
hash (teeoracle verify --json prints it, as policy_hash) to pin the registry to
this workload.

The algorithm follows the SEV-SNP firmware ABI (PAGE_INFO) and reproduces the
digests virtee/sev-snp-measure publishes for its test firmware.`

const measureTDXDescription = `Computes the MRTD a TD built from a TDVF image (an OVMF with TDX metadata)
will report: the TDX module hashes each page the VMM adds (TDH.MEM.PAGE.ADD) and
the contents of the sections TDVF marks as measured (TDH.MR.EXTEND, the boot
firmware volume); the variable store and temporary memory are added but not
measured. Prints the MRTD and a policy allowing it (--policy-out FILE writes it).

RTMR0-2 (firmware configuration, kernel, command line) depend on what the
firmware measures at boot; the event log the agent sends is replayed against them
at appraisal.`

func measureCommand() *cli.Command {
	return &cli.Command{
		Name:  "measure",
		Usage: "compute expected launch measurements from firmware, kernel and VM shape, and a policy allowing them",
		Subcommands: []*cli.Command{{
			Name:        "snp",
			Usage:       "the SEV-SNP launch MEASUREMENT of an OVMF guest",
			UsageText:   "teeoracle measure snp --firmware OVMF.fd [--kernel FILE --initrd FILE --append CMDLINE] [--vcpus N --vcpu-type TYPE --vmm qemu|ec2|gce]",
			Description: measureSNPDescription,
			Flags: cliapp.WithEnv(envPrefix, []cli.Flag{
				&cli.StringFlag{Name: "firmware", Usage: "OVMF firmware image `FILE` (required)"},
				&cli.StringFlag{Name: "firmware-digest", Usage: "launch digest after the firmware's pages, 48 bytes `HEX`, as a vendor publishes it (--firmware is still read for its metadata)"},
				&cli.StringFlag{Name: "kernel", Usage: "kernel `FILE` of measured direct boot (QEMU -kernel)"},
				&cli.StringFlag{Name: "initrd", Usage: "initrd `FILE` (QEMU -initrd); with --kernel only"},
				&cli.StringFlag{Name: "append", Usage: "kernel command `LINE` (QEMU -append); with --kernel only"},
				&cli.IntFlag{Name: "vcpus", Value: 1, Usage: "number of vCPUs, `N`"},
				&cli.StringFlag{Name: "vcpu-type", Value: "EPYC-v4", Usage: "QEMU CPU model `TYPE`, one of " + strings.Join(slices.Sorted(maps.Keys(measure.VCPUTypes)), ", ")},
				&cli.StringFlag{Name: "vcpu-sig", Usage: "CPUID signature `VALUE` instead of --vcpu-type (e.g. 0xA00F11)"},
				&cli.StringFlag{Name: "guest-features", Value: "0x1", Usage: "SEV_FEATURES `VALUE` of the VMSAs (0x1: SNP only)"},
				&cli.StringFlag{Name: "vmm", Value: "qemu", Usage: "`VMM` that launches the guest: qemu, ec2 or gce"},
				&cli.StringFlag{Name: "policy-name", Value: "pinned-snp-workload", Usage: "`NAME` of the policy printed"},
				&cli.StringFlag{Name: "policy-out", Usage: "write the policy to `FILE` (must not exist)"},
				shared(flagFormat),
			}),
			Action: runMeasureSNP,
		}, {
			Name:        "tdx",
			Usage:       "the Intel TDX MRTD of a TD built from a TDVF image",
			UsageText:   "teeoracle measure tdx --firmware OVMF.fd [--policy-out FILE]",
			Description: measureTDXDescription,
			Flags: cliapp.WithEnv(envPrefix, []cli.Flag{
				&cli.StringFlag{Name: "firmware", Usage: "OVMF firmware image `FILE` (required)"},
				&cli.StringFlag{Name: "event-log", Usage: "CCEL event log `FILE` of a reference boot of the same firmware, kernel and command line (/sys/firmware/acpi/tables/data/CCEL): adds its RTMR0-2 and kernel command line"},
				&cli.StringFlag{Name: "policy-name", Value: "pinned-tdx-workload", Usage: "`NAME` of the policy printed"},
				&cli.StringFlag{Name: "policy-out", Usage: "write the policy to `FILE` (must not exist)"},
				shared(flagFormat),
			}),
			Action: runMeasureTDX,
		}},
	}
}

// arg is flag's value, named for measure's errors.
func arg(c *cli.Context, flag string) measure.Arg {
	return measure.Arg{Name: "--" + flag, Value: c.String(flag)}
}

func runMeasureSNP(c *cli.Context) error {
	in, d, err := measure.SNPArgs{Firmware: arg(c, "firmware"), FirmwareDigest: arg(c, "firmware-digest"), Kernel: arg(c, "kernel"),
		Initrd: arg(c, "initrd"), Cmdline: arg(c, "append"), VCPUType: arg(c, "vcpu-type"), VCPUSig: arg(c, "vcpu-sig"),
		GuestFeatures: arg(c, "guest-features"), VMM: arg(c, "vmm"), VCPUs: c.Int("vcpus")}.Measure()
	if err != nil {
		return badInput(err)
	}
	r := measure.SNPResult{Input: in, Measurement: d, Policy: measure.SNPPolicy(c.String("policy-name"), d)}
	return printMeasured(c, r.Fields(), r.WriteText, r.Policy)
}

func runMeasureTDX(c *cli.Context) error {
	m, boot, err := measure.TDXArgs{Firmware: arg(c, "firmware"), EventLog: arg(c, "event-log")}.Measure()
	if err != nil {
		return badInput(err)
	}
	pol, err := measure.TDXPolicy(c.String("policy-name"), m, boot)
	if err != nil {
		return badInput(err)
	}
	r := measure.TDXResult{MRTD: m, Boot: boot, Policy: pol}
	return printMeasured(c, r.Fields(), r.WriteText, pol)
}

// printMeasured writes a measure command's result's policy pol to --policy-out,
// never over an existing file, then prints the result in --format: its JSON fields,
// or as text writes it.
func printMeasured(c *cli.Context, fields map[string]any, text func(io.Writer), pol []byte) error {
	if out := c.String("policy-out"); out != "" {
		if err := cliapp.WriteNewFile(out, pol); err != nil {
			return badInput(fmt.Errorf("--policy-out: %w", err))
		}
	}
	if c.String("format") == "json" {
		return cliapp.PrintJSON(c.App.Writer, fields)
	}
	text(c.App.Writer)
	return nil
}
