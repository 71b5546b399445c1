package cli

import (
	"os"
	"testing"

	"github.com/scopevault/scopevault/internal/testskip"
)

// envRunAsCLI makes the test binary act as scopevault itself, so a shell
// script under test can call `az` without a separate build.
const envRunAsCLI = "SCOPEVAULT_CLI_TEST_RUN_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsCLI) == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(testskip.Main(m)) // m.Run, then a SKIPPED line per missing tool

}
