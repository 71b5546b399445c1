package cli

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// SIGTERM and SIGINT sent to scopevault run reach the program, whose own
// exit code then comes back; its output is still redacted.
func TestRunForwardsSignals(t *testing.T) {
	sh := requireTool(t, "sh")
	MustDatabricks(t)
	MustDBX(t, "secrets", "create-scope", "--scope", "sig")
	MustDBX(t, "secrets", "put", "--scope", "sig", "--key", "pw", "--string-value", "tr4pped-value")
	for _, tc := range []struct {
		name, word string
		sig        syscall.Signal
		code       int
	}{
		{"ok/term", "TERM", syscall.SIGTERM, 42},
		{"ok/int", "INT", syscall.SIGINT, 43},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			script := `trap 'echo "got TERM $PW"; exit 42' TERM; trap 'echo "got INT $PW"; exit 43' INT; echo ready; while :; do sleep 0.05; done`
			cmd := exec.CommandContext(ctx, os.Args[0], "run", "--env", "PW={{secrets/sig/pw}}", "--", sh, "-c", script)
			cmd.Env = append(os.Environ(), envRunAsCLI+"=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(stdout)
			if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
				t.Fatalf("first line %q, %v", line, err)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil { // scopevault only, not its child
				t.Fatal(err)
			}
			rest, _ := r.ReadString(0)
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Errorf("exit %v, want %d", err, tc.code)
			}
			if want := "got " + tc.word + " [REDACTED]\n"; rest != want {
				t.Errorf("output after the signal %q, want %q", rest, want)
			}
		})
	}
}
