package cli

import (
	"strings"
	"testing"
)

// up refuses a lockout duration that would make a lockout meaningless,
// before it touches the data directory or a port.
func TestUpLockoutFlags(t *testing.T) {
	for _, d := range []string{"0s", "-1m"} {
		t.Run("fail/duration-"+d, func(t *testing.T) {
			dir := t.TempDir()
			_, errs, code := runMain(t, "up", "--data", dir, "--port", "0", "--lockout-duration="+d)
			if code != 1 || !strings.Contains(errs, "--lockout-duration must be positive") {
				t.Fatalf("code %d, stderr %q", code, errs)
			}
		})
	}
}
