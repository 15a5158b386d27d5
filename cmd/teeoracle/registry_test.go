package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// runReg runs teeoracle in-process and returns stdout, the command's error (for
// errors.As on decoded reverts) and the exit code main would use.
func runReg(t *testing.T, args ...string) (string, error, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := newApp(appDeps{Stdout: &stdout, Stderr: &stderr, Now: time.Now})
	err := app.RunContext(context.Background(), append([]string{"teeoracle"}, args...))
	return stdout.String(), err, exitCode(err, io.Discard)
}

// mustRun runs a command that must succeed and returns its "key value" lines.
func mustRun(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out, err, code := runReg(t, args...)
	if err != nil || code != 0 {
		t.Fatalf("teeoracle %s: exit %d: %v\n%s", strings.Join(args, " "), code, err, out)
	}
	return fields(out)
}

// fields parses "key value" lines (later lines win).
func fields(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(l, " ")
		if ok {
			m[k] = v
		}
	}
	return m
}

func wantCLIRevert(t *testing.T, err error, code int, name string) {
	t.Helper()
	var re *chain.RevertError
	if !errors.As(err, &re) || re.Name != name {
		t.Fatalf("error %v: want the decoded revert %s", err, name)
	}
	if code != exitBadInput {
		t.Fatalf("exit %d, want %d", code, exitBadInput)
	}
}

func writeSecret(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRegistryCommandsOnAnvil drives every registry command against a real chain:
// deploy, oracles add/threshold/list, policy register/show, machine
// register/show/deregister and query, with a verdict submitted in between by two
// oracles through the chain package, and the contract's refusals shown by name.
func TestRegistryCommandsOnAnvil(t *testing.T) {
	a := testchain.StartAnvil(t)
	ownerKey, owner := testchain.DevKey(0)
	providerKey, provider := testchain.DevKey(1)
	ownerFile := writeSecret(t, "owner.hex", []byte(hexutil.Encode(crypto.FromECDSA(ownerKey))+"\n"))
	// The provider signs from an encrypted keystore.
	ks := keystore.NewKeyStore(t.TempDir(), keystore.LightScryptN, keystore.LightScryptP)
	acct, err := ks.ImportECDSA(providerKey, "provider password")
	if err != nil {
		t.Fatal(err)
	}
	pw := writeSecret(t, "pw", []byte("provider password\n"))
	providerArgs := []string{"--keystore", acct.URL.Path, "--password-file", pw}

	oracleKeys := make([]*ecdsa.PrivateKey, 3)
	oracleAddrs := make([]string, 3)
	for i := range oracleKeys {
		oracleKeys[i], _ = crypto.ToECDSA(crypto.Keccak256([]byte{'c', 'l', 'i', byte(i)}))
		oracleAddrs[i] = crypto.PubkeyToAddress(oracleKeys[i].PublicKey).Hex()
	}
	rpc := []string{"--rpc-url", a.URL}

	// Deploy (chain id checked), with the example consumer.
	_, err, code := runReg(t, append([]string{"registry", "deploy", "--key-file", ownerFile, "--oracle", oracleAddrs[0], "--threshold", "1", "--chain-id", "1"}, rpc...)...)
	if !errors.Is(err, chain.ErrChainMismatch) || code != exitBadInput {
		t.Fatalf("deploy with the wrong --chain-id: exit %d, %v; want ErrChainMismatch", code, err)
	}
	out, err, code := runReg(t, append([]string{"registry", "deploy", "--key-file", ownerFile, "--oracle", oracleAddrs[0], "--threshold", "1", "--chain-id", "31337", "--with-consumer"}, rpc...)...)
	if err != nil || code != 0 {
		t.Fatalf("registry deploy: exit %d: %v\n%s", code, err, out)
	}
	// Output is key value lines, except one receipt line per transaction sent
	// (docs/registry-cli.md): deploy sends two, the registry and the consumer.
	receipt := regexp.MustCompile(`^tx 0x[0-9a-fA-F]{64} block [0-9]+ gas-used [0-9]+$`)
	receipts := 0
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		switch {
		case receipt.MatchString(l):
			receipts++
		case len(strings.Fields(l)) != 2:
			t.Fatalf("registry deploy printed %q, neither a key value line nor a receipt line", l)
		}
	}
	if receipts != 2 {
		t.Fatalf("registry deploy printed %d receipt lines, want 2:\n%s", receipts, out)
	}
	d := fields(out)
	regAddr := d["registry"]
	if _, err := strconv.ParseUint(d["deploy-block"], 10, 64); err != nil {
		t.Fatalf("registry deploy printed deploy-block %q: %v", d["deploy-block"], err)
	}
	if !common.IsHexAddress(regAddr) || !common.IsHexAddress(d["consumer"]) || d["owner"] != owner.Hex() {
		t.Fatalf("deploy printed %v", d)
	}
	on := append([]string{"--registry", regAddr}, rpc...)
	asOwner := append([]string{"--key-file", ownerFile}, on...)
	asProvider := append(providerArgs, on...)

	// Governance: 2-of-3; a provider may not govern.
	_, err, code = runReg(t, append([]string{"registry", "oracles", "add", "--oracle", oracleAddrs[1]}, asProvider...)...)
	wantCLIRevert(t, err, code, "OwnableUnauthorizedAccount")
	mustRun(t, append([]string{"registry", "oracles", "add", "--oracle", oracleAddrs[1] + "," + oracleAddrs[2]}, asOwner...)...)
	_, err, code = runReg(t, append([]string{"registry", "oracles", "threshold", "--threshold", "4"}, asOwner...)...)
	wantCLIRevert(t, err, code, "InvalidThreshold")
	mustRun(t, append([]string{"registry", "oracles", "threshold", "--threshold", "2"}, asOwner...)...)
	list, err, _ := runReg(t, append([]string{"registry", "oracles", "list"}, on...)...)
	if err != nil || strings.Count(list, "oracle 0x") != 3 || !strings.Contains(list, "threshold 2\n") {
		t.Fatalf("oracles list: %v\n%s", err, list)
	}

	// A policy from its file: hash and validity come from the canonical form.
	pol := policy.Default()
	pol.ValiditySeconds = 7200
	canon, err := pol.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	polFile := writeSecret(t, "policy.json", canon)
	p := mustRun(t, append([]string{"policy", "register", "--policy", polFile, "--policy-uri", "https://example.org/p.json"}, asOwner...)...)
	polHash, err := pol.Hash()
	if err != nil {
		t.Fatal(err)
	}
	if p["policy"] != polHash.Hex() || p["validity-seconds"] != "7200" {
		t.Fatalf("policy register printed %v, want hash %s", p, polHash)
	}
	ps := mustRun(t, append([]string{"policy", "show", "--policy-hash", polHash.Hex()}, on...)...)
	if ps["state"] != "active" || ps["validity-seconds"] != "7200" {
		t.Fatalf("policy show %v", ps)
	}
	_, err, code = runReg(t, append([]string{"policy", "register", "--policy", polFile}, asOwner...)...)
	wantCLIRevert(t, err, code, "PolicyAlreadyRegistered")

	// The provider registers a machine; it is not trusted yet.
	m := mustRun(t, append([]string{"machine", "register", "--salt", "0x01", "--tee", "sev-snp", "--metadata-uri", "https://provider.example/m/1"}, asProvider...)...)
	id := chain.MachineID(provider, common.HexToHash("0x01"))
	if m["machine"] != id.Hex() || m["provider"] != provider.Hex() {
		t.Fatalf("machine register printed %v, want id %s", m, id)
	}
	show := mustRun(t, append([]string{"machine", "show", "--machine-id", id.Hex()}, on...)...)
	if show["state"] != "registered" || show["tee"] != "sev-snp" || show["status"] != "none" || show["trusted"] != "false" || show["authorized-key"] != "none" {
		t.Fatalf("machine show before a verdict: %v", show)
	}
	out, err, code = runReg(t, append([]string{"query", "--machine-id", id.Hex()}, on...)...)
	if code != exitUntrusted || err == nil || fields(out)["trusted"] != "false" {
		t.Fatalf("query before a verdict: exit %d, %v\n%s", code, err, out)
	}

	// Two oracles sign a verdict; anyone submits it (here, through the chain package).
	reg, err := chain.OpenRegistry(context.Background(), a.Client, common.HexToAddress(regAddr), 31337)
	if err != nil {
		t.Fatal(err)
	}
	teeKey, _ := crypto.GenerateKey()
	teeAddr := crypto.PubkeyToAddress(teeKey.PublicKey)
	// Only the provider authorises the key its machine's first verdict binds.
	_, err, code = runReg(t, append([]string{"machine", "authorize-key", "--machine-id", id.Hex(), "--tee-key", teeAddr.Hex()}, asOwner...)...)
	wantCLIRevert(t, err, code, "NotMachineProvider")
	// The provider runs the command the agent printed, its placeholders filled in.
	hint := authorizeKeyHint(id, teeAddr, common.HexToAddress(regAddr))
	_, printed, ok := strings.Cut(hint, "  teeoracle ")
	if !ok {
		t.Fatalf("the agent's hint names no teeoracle command: %q", hint)
	}
	filled := strings.NewReplacer("RPC", a.URL, "--keystore FILE --password-file FILE", strings.Join(providerArgs, " ")).Replace(strings.TrimSpace(printed))
	if auth := mustRun(t, strings.Fields(filled)...); auth["authorized-key"] != teeAddr.Hex() {
		t.Fatalf("machine authorize-key printed %v", auth)
	}
	// machine show names the authorised key no verdict has bound yet.
	if show := mustRun(t, append([]string{"machine", "show", "--machine-id", id.Hex()}, on...)...); show["authorized-key"] != teeAddr.Hex() || show["tee-key"] != (common.Address{}).Hex() {
		t.Fatalf("machine show with a pending key: %v, want authorized-key %s", show, teeAddr)
	}
	ctx := context.Background()
	head, err := a.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := a.Client.HeaderByHash(ctx, head.ParentHash)
	if err != nil {
		t.Fatal(err)
	}
	v := verdict.Verdict{MachineID: id, TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TEEKey: teeAddr,
		WorkloadID: crypto.Keccak256Hash([]byte("w")), TCBStatus: 1, TCB: 7, PolicyHash: polHash,
		EvidenceHash: crypto.Keccak256Hash([]byte("e")), AnchorBlockNumber: parent.Number.Uint64(), AnchorBlockHash: parent.Hash(),
		IssuedAt: head.Time, ExpiresAt: head.Time + 3600}
	q, err := reg.Quorum(ctx, chain.BlockRange{})
	if err != nil {
		t.Fatal(err)
	}
	var raw [][]byte
	for _, k := range oracleKeys {
		s, err := verdict.SignVerdict(&v, reg.Domain(), k)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, s)
	}
	sigs, err := verdict.Assemble(v.Digest(reg.Domain()), raw[:2], q)
	if err != nil {
		t.Fatal(err)
	}
	cand, err := reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: verdict.Sigs(sigs)})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := chain.NewDirectSender(a.Client, bind.NewKeyedTransactor(ownerKey, big.NewInt(31337)), nil)
	if err != nil {
		t.Fatal(err)
	}
	sender.PollInterval = 10 * time.Millisecond
	if _, err := reg.Transact(ctx, sender, cand); err != nil {
		t.Fatal(err)
	}

	q1 := mustRun(t, append([]string{"query", "--machine-id", id.Hex()}, on...)...)
	q2 := mustRun(t, append([]string{"query", "--tee-key", teeAddr.Hex()}, on...)...)
	if q1["trusted"] != "true" || q2["trusted"] != "true" || q2["machine"] != id.Hex() {
		t.Fatalf("query after the verdict: %v / %v", q1, q2)
	}
	show = mustRun(t, append([]string{"machine", "show", "--machine-id", id.Hex()}, on...)...)
	if show["status"] != "trusted" || show["tee-key"] != teeAddr.Hex() || show["policy"] != polHash.Hex() || show["trusted"] != "true" || show["authorized-key"] != "none" {
		t.Fatalf("machine show after the verdict: %v", show)
	}

	// The provider withdraws the key: the machine stays registered, untrusted.
	mustRun(t, append([]string{"machine", "revoke-key", "--machine-id", id.Hex()}, asProvider...)...)
	if _, _, code := runReg(t, append([]string{"query", "--tee-key", teeAddr.Hex()}, on...)...); code != exitUntrusted {
		t.Fatalf("query after revoke-key: exit %d, want %d", code, exitUntrusted)
	}
	// Only the provider deregisters; then the machine is untrusted for good.
	_, err, code = runReg(t, append([]string{"machine", "deregister", "--yes", "--machine-id", id.Hex()}, asOwner...)...)
	wantCLIRevert(t, err, code, "NotMachineProvider")
	mustRun(t, append([]string{"machine", "deregister", "--yes", "--machine-id", id.Hex()}, asProvider...)...)
	if _, _, code := runReg(t, append([]string{"query", "--machine-id", id.Hex()}, on...)...); code != exitUntrusted {
		t.Fatalf("query after deregistration: exit %d, want %d", code, exitUntrusted)
	}
	// Retiring the policy works and shows.
	mustRun(t, append([]string{"policy", "retire", "--yes", "--policy-hash", polHash.Hex()}, asOwner...)...)
	if ps := mustRun(t, append([]string{"policy", "show", "--policy-hash", polHash.Hex()}, on...)...); ps["state"] != "retired" {
		t.Fatalf("policy show after retire: %v", ps)
	}
}

// TestRegistryCommandsBadInput: input errors are caught before the chain is
// touched, with exit status 2.
func TestRegistryCommandsBadInput(t *testing.T) {
	dir := t.TempDir()
	key := writeSecret(t, "k.hex", []byte(strings.Repeat("11", 32)))
	for _, tc := range []struct {
		name string
		args []string
		want error
	}{
		{"deploy without rpc", []string{"registry", "deploy", "--key-file", key, "--oracle", "0x0000000000000000000000000000000000000001", "--threshold", "1"}, nil},
		{"deploy without key", []string{"registry", "deploy", "--rpc-url", "http://127.0.0.1:1", "--oracle", "0x0000000000000000000000000000000000000001", "--threshold", "1"}, chain.ErrKeySource},
		{"threshold above oracles", []string{"registry", "deploy", "--key-file", key, "--oracle", "0x0000000000000000000000000000000000000001", "--threshold", "2"}, nil},
		{"bad oracle", []string{"registry", "deploy", "--key-file", key, "--oracle", "0x12", "--threshold", "1"}, nil},
		{"missing key file", []string{"registry", "oracles", "add", "--key-file", filepath.Join(dir, "nope"), "--oracle", "0x0000000000000000000000000000000000000001"}, os.ErrNotExist},
		{"bad tee", []string{"machine", "register", "--key-file", key, "--salt", "0x01", "--tee", "sgx"}, nil},
		{"long salt", []string{"machine", "register", "--key-file", key, "--salt", "0x" + strings.Repeat("ab", 33), "--tee", "tdx"}, nil},
		{"query needs one of machine or key", []string{"query", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x0000000000000000000000000000000000000001"}, nil},
		{"policy file and hash", []string{"policy", "register", "--key-file", key, "--policy", "p.yaml", "--policy-hash", "0x" + strings.Repeat("ab", 32)}, nil},
		{"validity not whole seconds", []string{"policy", "register", "--key-file", key, "--policy-hash", "0x" + strings.Repeat("ab", 32), "--validity", "1500ms"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err, code := runReg(t, tc.args...)
			if code != exitBadInput || err == nil {
				t.Fatalf("exit %d, %v; want %d", code, err, exitBadInput)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRegistryFlagRules extends TestFlagRules to nested commands: kebab-case, one
// name, exactly one TEEORACLE_<NAME> variable, and one meaning (usage) per variable
// across every command of the app, --help on every command.
func TestRegistryFlagRules(t *testing.T) {
	app := newApp(appDeps{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now})
	kebab := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	usageByEnv := map[string]string{}
	var walk func(path string, cmds []*cli.Command)
	check := func(where string, flags []cli.Flag) {
		seen := map[string]bool{}
		for _, f := range flags {
			name := f.Names()[0]
			if len(f.Names()) != 1 || !kebab.MatchString(name) || seen[name] {
				t.Errorf("%s: flag %v: want one kebab-case name, once", where, f.Names())
			}
			seen[name] = true
			envs := f.(interface{ GetEnvVars() []string }).GetEnvVars()
			if len(envs) != 1 || envs[0] != envName(name) {
				t.Errorf("%s: flag %q has env vars %v, want [%s]", where, name, envs, envName(name))
				continue
			}
			usage := f.(cli.DocGenerationFlag).GetUsage()
			if prev, ok := usageByEnv[envs[0]]; ok && prev != usage {
				t.Errorf("%s: %s means two things: %q and %q", where, envs[0], prev, usage)
			}
			usageByEnv[envs[0]] = usage
		}
	}
	check("global", app.Flags)
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := path + " " + c.Name
			check(p, c.Flags)
			walk(p, c.Subcommands)
		}
	}
	walk("teeoracle", app.Commands)
	for _, cmd := range [][]string{{"registry", "deploy"}, {"registry", "oracles", "add"}, {"registry", "oracles", "remove"},
		{"registry", "oracles", "threshold"}, {"registry", "oracles", "list"}, {"policy", "register"}, {"policy", "retire"},
		{"policy", "show"}, {"machine", "register"}, {"machine", "deregister"}, {"machine", "authorize-key"}, {"machine", "revoke-key"},
		{"machine", "show"}, {"query"}} {
		out, err, code := runReg(t, append(cmd, "--help")...)
		if err != nil || code != 0 || !strings.Contains(out, "--rpc-url") {
			t.Errorf("teeoracle %s --help: exit %d, %v\n%s", strings.Join(cmd, " "), code, err, out)
		}
	}
	if got := unknownEnv(app, []string{"TEEORACLE_SALT=0x01", "TEEORACLE_SALTT=1"}); len(got) != 1 || got[0] != "TEEORACLE_SALTT" {
		t.Errorf("unknownEnv = %v: a nested command's variable must be known, a typo not", got)
	}
}
