package store

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// crashChildEnv names the database a re-executed test binary writes to until killed.
const crashChildEnv = "TEEORACLE_STORE_CRASH_CHILD"

var stateRank = map[State]int{StateReceived: 0, StateVerified: 1, StateSigned: 2, StateSubmitted: 3, StateConfirmed: 4}

// TestCrashChildProcess is the writer half of TestKill9LosesNothingAcknowledged: it
// only runs inside the re-executed test binary. After each committed write it prints
// "ack <id> <state>"; anything printed must survive kill -9.
func TestCrashChildProcess(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child of TestKill9LosesNothingAcknowledged")
	}
	round := os.Getenv(crashChildEnv + "_ROUND")
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	from := common.HexToAddress("0x5555555555555555555555555555555555555555")
	w := bufio.NewWriter(os.Stdout)
	ack := func(id string, st State) {
		fmt.Fprintf(w, "ack %s %s\n", id, st)
		_ = w.Flush()
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("r%s-%d", round, i)
		ev := []byte(strings.Repeat(id, 1+i%50)) // varied sizes so pages split
		sub, err := s.PutSubmission(NewSubmission{ID: id, MachineID: machine(i % 10)}, ev)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		ack(sub.ID, StateReceived)
		if i%4 == 3 {
			continue // leave some in the queue
		}
		v := verdictFor(id, sub.MachineID, uint64(i))
		if _, err := s.RecordVerdict(id, v); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		ack(id, StateVerified)
		if _, err := s.Transition(id, StateSigned, ""); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		ack(id, StateSigned)
		// Each round journals under its own nonce range so rounds don't collide.
		var rn int
		fmt.Sscan(round, &rn)
		nonce := uint64(rn*100000 + i)
		raw, h := signedTx(t, nonce, 1e9)
		if err := s.RecordAttempt(from, nonce, h, raw, []common.Hash{v.Hash}); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		ack(id, StateSubmitted)
		if i%3 == 0 {
			if err := s.MarkConfirmed(from, nonce, h, uint64(i), true); err != nil {
				fmt.Println("error", err)
				os.Exit(3)
			}
			ack(id, StateConfirmed)
		}
	}
}

// TestKill9LosesNothingAcknowledged runs a child process that writes as fast as it
// can, kills it with SIGKILL at a random moment, reopens the file and checks that
// every write the child acknowledged is there and the file is consistent; several
// rounds on the same file. SIGKILL loses the process, not the page cache, so this
// shows crash consistency and commit-before-ack; power-loss durability rests on
// bbolt's fdatasync on commit, which this test cannot observe.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	acked := map[string]State{}
	for round := range 6 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChildProcess$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("%s_ROUND=%d", crashChildEnv, round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Kill after a random number of acknowledgements (1..150), so the kill lands
		// at different points of the write sequence each round.
		killAfter := 1 + rng.IntN(150)
		n := 0
		timeout := time.After(20 * time.Second)
	read:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: child exited before being killed", round)
				}
				var id string
				var st State
				if _, err := fmt.Sscanf(line, "ack %s %s", &id, &st); err != nil {
					t.Fatalf("round %d: child said %q", round, line)
				}
				acked[id] = st
				if n++; n == killAfter {
					// Let it run into its next commit for a random moment, then kill.
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
					if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
					break read
				}
			case <-timeout:
				_ = cmd.Process.Kill()
				t.Fatalf("round %d: child too slow (%d acks)", round, n)
			}
		}
		// Acks printed before the kill took effect are acknowledged too.
		for line := range lines {
			var id string
			var st State
			if _, err := fmt.Sscanf(line, "ack %s %s", &id, &st); err == nil {
				acked[id] = st
			}
		}
		_ = cmd.Wait()

		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		for id, st := range acked {
			sub, err := s.Submission(id)
			if err != nil {
				t.Fatalf("round %d: acknowledged %s (%s) lost: %v", round, id, st, err)
			}
			if stateRank[sub.State] < stateRank[st] {
				t.Fatalf("round %d: %s acknowledged in %s, found in %s", round, id, st, sub.State)
			}
			if _, err := s.Evidence(sub.EvidenceHash); err != nil {
				t.Fatalf("round %d: evidence of %s: %v", round, id, err)
			}
		}
		if err := s.Check(); err != nil {
			t.Fatalf("round %d: inconsistent after kill: %v", round, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: killed after %d acks; %d acknowledged writes intact", round, killAfter, len(acked))
	}
}
