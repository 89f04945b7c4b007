package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

const (
	crashEnv      = "WINNOW_STORE_CRASH_DB"
	crashFromEnv  = "WINNOW_STORE_CRASH_FROM"
	crashBatchLen = 64
)

// crashChild is the process TestCrashSafety kills: it saves batches of
// crashBatchLen alerts forever and prints "ack N" after batch N's SaveBatch
// returned nil, so the parent knows exactly what was acknowledged.
func crashChild(path string) {
	ctx := context.Background()
	from, err := strconv.Atoi(os.Getenv(crashFromEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	for b := from; ; b++ {
		if err := s.SaveBatch(ctx, samples("crash", b*crashBatchLen, crashBatchLen)); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		fmt.Printf("ack %d\n", b) // os.Stdout is unbuffered: printed means acknowledged
	}
}

// TestCrashSafety SIGKILLs a writer in the middle of its run, three times on
// the same file, and checks that every acknowledged batch survived, that no
// batch is half-stored, and that the file passes the integrity check.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	_, path := openTemp(t) // creates and migrates the file; the child reopens it
	acked := map[int]bool{}
	next := 0
	for round, killAfter := range []int{3, 17, 40} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, crashFromEnv+"="+strconv.Itoa(next))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			var b int
			if _, err := fmt.Sscanf(sc.Text(), "ack %d", &b); err != nil {
				t.Fatalf("round %d: child printed %q", round, sc.Text())
			}
			acked[b] = true
			next = max(next, b+1)
			if n++; n == killAfter {
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
			}
		}
		err = cmd.Wait()
		if n < killAfter {
			t.Fatalf("round %d: child stopped after %d acks: %v\n%s", round, n, err, stderr.String())
		}
		// The batch in flight at the kill may have committed without its ack
		// being printed; the next round starts after it either way.
		next++
	}

	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	for b := range acked {
		for _, i := range []int{b * crashBatchLen, b*crashBatchLen + crashBatchLen - 1} {
			if _, err := s.Alert(ctx, "crash", fmt.Sprintf("suricata-%06d", i)); err != nil {
				t.Errorf("acknowledged batch %d: %v", b, err)
			}
		}
	}
	var total int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM alerts`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total < len(acked)*crashBatchLen || total%crashBatchLen != 0 {
		t.Errorf("%d alerts stored for %d acknowledged batches of %d: a batch is lost or half-stored", total, len(acked), crashBatchLen)
	}
}
