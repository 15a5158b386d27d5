package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// parseAgent runs the agent command's flag reading on args.
func parseAgent(t *testing.T, args ...string) (*agent.FileConfig, error) {
	t.Helper()
	var got *agent.FileConfig
	var gotErr error
	app := &cli.App{Name: "t", Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{Name: "agent", Flags: agentFlags(new(agent.FileConfig)), Action: func(c *cli.Context) error {
			got, gotErr = readAgentFlags(c)
			return nil
		}}}}
	if err := app.Run(append([]string{"t", "agent"}, args...)); err != nil {
		t.Fatal(err)
	}
	return got, gotErr
}

func TestAgentConfigFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "agent.yaml")
	doc := "oracle_url: http://oracle.example:8080\nregistry: \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\nchain_id: 31337\n" +
		"machine_id: \"0x" + strings.Repeat("11", 32) + "\"\nkey_file: " + filepath.Join(dir, "key") + "\ntee: tdx\n"
	if err := os.WriteFile(conf, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseAgent(t, "--agent-config", conf)
	if err != nil {
		t.Fatal(err)
	}
	if c.OracleURL != "http://oracle.example:8080" || c.ChainID != 31337 || c.TEE != "tdx" || c.MachineID != "0x"+strings.Repeat("11", 32) {
		t.Errorf("from file: %+v", c)
	}
	// Flags override the file.
	c, err = parseAgent(t, "--agent-config", conf, "--oracle-url", "http://other:1", "--chain-id", "1", "--machine-id", "0x"+strings.Repeat("22", 32))
	if err != nil {
		t.Fatal(err)
	}
	if c.OracleURL != "http://other:1" || c.ChainID != 1 || c.MachineID != "0x"+strings.Repeat("22", 32) || c.Registry != "0x5FbDB2315678afecb367f032d93F642f64180aa3" {
		t.Errorf("flags over file: %+v", c)
	}
	// Flags alone; no --tee is auto (agent.Detect), no fraction the flag's default.
	c, err = parseAgent(t, "--oracle-url", "http://o:1", "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--chain-id", "31337",
		"--machine-id", "0x"+strings.Repeat("33", 32), "--tee-key-file", "/k")
	if err != nil || c.TEE != "" || c.KeyFile != "/k" || c.ReattestFraction != defaultReattestFraction {
		t.Fatalf("%+v %v", c, err)
	}
	// A missing or malformed setting names its flag and its key in the file.
	for _, tc := range [][]string{{"--agent-config", conf, "--registry", "0x12"}, {"--agent-config", conf, "--tee", "sgx"}} {
		_, err := parseAgent(t, tc...)
		flag := map[bool]string{true: "--registry (or registry in --agent-config)", false: "--tee (or tee in --agent-config)"}[tc[2] == "--registry"]
		if err == nil || !strings.HasPrefix(err.Error(), flag) {
			t.Errorf("%v: %v, want it to name %s", tc, err, flag)
		}
	}
	// Without the chain id, from the file or the flag, the agent is refused, naming
	// both and where the value is.
	noChain := filepath.Join(dir, "no-chain.yaml")
	if err := os.WriteFile(noChain, []byte(strings.Replace(doc, "chain_id: 31337\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--agent-config", noChain}, {"--oracle-url", "http://o:1", "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"--machine-id", "0x" + strings.Repeat("33", 32), "--tee-key-file", "/k"}} {
		_, err := parseAgent(t, args...)
		if err == nil || !strings.HasPrefix(err.Error(), "--chain-id (or chain_id in --agent-config): required") || !strings.Contains(err.Error(), "registry deploy") {
			t.Errorf("%v: %v, want --chain-id required", args, err)
		}
	}
	if c, err := parseAgent(t, "--agent-config", noChain, "--chain-id", "5"); err != nil || c.ChainID != 5 {
		t.Errorf("chain id by flag over a file without it: %+v %v", c, err)
	}
	// A config file that does not parse names itself.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("oracle_url: x\nunknown: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := parseAgent(t, "--agent-config", bad); !errors.Is(err, agent.ErrConfigFile) {
		t.Errorf("bad file: %v, want ErrConfigFile", err)
	}
}

func TestAgentCommandBadInput(t *testing.T) {
	good := []string{"--oracle-url", "http://127.0.0.1:1", "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"--machine-id", "0x" + strings.Repeat("11", 32), "--tee-key-file", filepath.Join(t.TempDir(), "k"), "--chain-id", "31337"}
	cases := map[string][]string{
		"no oracle url":   good[2:],
		"no chain id":     good[:8],
		"bad registry":    {"--oracle-url", "http://o:1", "--registry", "0x12", "--chain-id", "1", "--machine-id", "0x" + strings.Repeat("11", 32), "--tee-key-file", "/k"},
		"bad machine id":  {"--oracle-url", "http://o:1", "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--chain-id", "1", "--machine-id", "11", "--tee-key-file", "/k"},
		"bad interface":   append(append([]string{}, good...), "--tee", "sgx"),
		"bad fraction":    append(append([]string{}, good...), "--reattest-fraction", "1.5"),
		"no TEE (no VM)":  append(append([]string{}, good...), "--once"),
		"missing key arg": append(append([]string{}, good[:6]...), good[8:]...),
	}
	for name, args := range cases {
		if _, _, code := run(t, append([]string{"agent"}, args...)...); code != exitBadInput {
			t.Errorf("%s: exit %d, want %d", name, code, exitBadInput)
		}
	}
}

// refusingNode is an oracle node that answers every request with 422 (the key not
// authorised yet); it counts the requests.
func refusingNode(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"error":"tee key not authorized for the machine","field":"tee_key"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// runAgentOnce runs `agent --once` on simulated hardware against oracleURL,
// failing the test if it is still running after 30 s.
func runAgentOnce(t *testing.T, oracleURL string) (stdout, stderr string, code int) {
	t.Helper()
	dir := t.TempDir()
	done := make(chan struct{})
	go func() {
		defer close(done)
		stdout, stderr, code = run(t, "agent", "--once", "--simulate", filepath.Join(dir, "sim"), "--oracle-url", oracleURL,
			"--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--chain-id", "31337",
			"--machine-id", "0x"+strings.Repeat("11", 32), "--tee-key-file", filepath.Join(dir, "key"))
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("agent --once still running after 30 s")
	}
	return stdout, stderr, code
}

// `agent --once` exits 2 with the node's refusal (here 422: the key is not
// authorised yet) after one request, instead of retrying until a signal.
func TestAgentOnceExitsOnRefusal(t *testing.T) {
	srv, n := refusingNode(t)
	_, stderr, code := runAgentOnce(t, srv.URL)
	if code != exitBadInput || n.Load() != 1 || !strings.Contains(stderr, "HTTP 422") {
		t.Errorf("exit %d after %d requests, stderr %q; want 2 after 1 request, naming HTTP 422", code, n.Load(), stderr)
	}
}

// The oracle URL's password is never printed; a URL with a query (a token the
// client would drop) is refused without quoting it.
func TestAgentHidesOracleURLSecrets(t *testing.T) {
	srv, _ := refusingNode(t)
	withUser := strings.Replace(srv.URL, "http://", "http://agent:s3cret@", 1)
	stdout, stderr, code := runAgentOnce(t, withUser)
	if code != exitBadInput || strings.Contains(stdout+stderr, "s3cret") || !strings.Contains(stdout, "agent:xxxxx@") {
		t.Errorf("exit %d, output %q %q; want 2 and the password shown as xxxxx", code, stdout, stderr)
	}
	stdout, stderr, code = runAgentOnce(t, srv.URL+"/?token=s3cret")
	if code != exitBadInput || strings.Contains(stdout+stderr, "s3cret") || !strings.Contains(stderr, "query or fragment") {
		t.Errorf("exit %d, output %q %q; want 2, refusing the query without quoting it", code, stdout, stderr)
	}
}

// TestAgentRoundLineNamesTxOnlyWhenKnown: a round whose verdict a peer published
// (the node reports no transaction) prints "published by a peer", never an all-zero
// transaction hash; a round the node published names its transaction.
func TestAgentRoundLineNamesTxOnlyWhenKnown(t *testing.T) {
	print := func(r agent.Round) string {
		var out strings.Builder
		app := cli.NewApp()
		app.Writer = &out
		printRound(cli.NewContext(app, nil, nil), r)
		return out.String()
	}
	r := agent.Round{VerdictHash: common.Hash{0xaa}, Verdict: verdict.Verdict{Status: verdict.StatusTrusted, ExpiresAt: 1_900_000_000}, Trusted: true}
	peer := print(r)
	if strings.Contains(peer, (common.Hash{}).Hex()) || !strings.Contains(peer, "published by a peer") {
		t.Fatalf("round published by a peer printed %q", peer)
	}
	r.TxHash = common.Hash{0xbb}
	own := print(r)
	if !strings.Contains(own, "tx "+r.TxHash.Hex()) || strings.Contains(own, "published by a peer") {
		t.Fatalf("round published by this node printed %q", own)
	}
}
