// Package anvil runs Foundry's anvil as a child process on a loopback port: the
// devnet's --anvil chain and the tests' chains (internal/testchain) start it here.
package anvil

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// Process is a running anvil.
type Process struct {
	// URL is the HTTP JSON-RPC endpoint, http://127.0.0.1:<port>.
	URL string
	// Client is an ethclient dialled to URL, closed on cleanup.
	Client *ethclient.Client

	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	out  strings.Builder // everything anvil printed, for failure messages
}

// listening matches anvil's start-up line, e.g. "Listening on 127.0.0.1:38545".
var listening = regexp.MustCompile(`Listening on ([0-9.]+:[0-9]+)`)

// Start runs bin (anvil, or the npm launcher that runs it) with --port 0 --host
// 127.0.0.1 and args, in a process group of its own, waits for its "Listening on"
// line and dials it. Stop ends it and everything it started.
func Start(bin string, args ...string) (*Process, error) {
	cmd := exec.Command(bin, append([]string{"--port", "0", "--host", "127.0.0.1"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("anvil stdout: %w", err)
	}
	cmd.Stderr = cmd.Stdout
	// Its own process group, so that Stop reaches a launcher's children too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	a := &Process{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(a.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			a.mu.Lock()
			a.out.WriteString(line + "\n")
			a.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
	}()
	select {
	case hostport := <-addr:
		a.URL = "http://" + hostport
	case <-a.done:
		return nil, fmt.Errorf("anvil exited before listening:\n%s", a.Output())
	case <-time.After(30 * time.Second):
		_ = a.Stop()
		return nil, fmt.Errorf("anvil printed no \"Listening on\" line within 30s:\n%s", a.Output())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// More idle connections than net/http's default of 2: the nodes under test read
	// the chain from many goroutines at once. These are chain.DialClient's transport
	// settings; it cannot be called here, since oracle/chain's own tests start anvil
	// through this package (an import cycle). anvil's URL carries no key, so none of
	// DialClient's redaction is needed.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 64, 64
	rc, err := rpc.DialOptions(ctx, a.URL, rpc.WithHTTPClient(&http.Client{Transport: t}))
	var c *ethclient.Client
	if err == nil {
		c = ethclient.NewClient(rc)
	}
	if err != nil {
		_ = a.Stop()
		return nil, fmt.Errorf("dial anvil at %s: %w", a.URL, err)
	}
	a.Client = c
	return a, nil
}

// Output returns what anvil printed so far.
func (a *Process) Output() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.out.String()
}

// Stop kills anvil and waits for it to exit. It is safe to call twice.
func (a *Process) Stop() error {
	if a.Client != nil {
		a.Client.Close()
		a.Client = nil
	}
	if a.cmd.Process == nil {
		return nil
	}
	select {
	case <-a.done:
		return nil
	default:
	}
	// The negative pid is the process group started for anvil (see startAnvil):
	// only processes this package started.
	if err := syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill anvil (process group %d): %w", a.cmd.Process.Pid, err)
	}
	select {
	case <-a.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("anvil (pid %d) did not exit within 10s of SIGKILL", a.cmd.Process.Pid)
	}
}

// Pid is the process id of what Start ran, which is also its process group's id.
func (a *Process) Pid() int { return a.cmd.Process.Pid }
