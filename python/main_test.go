package python_test

import (
	"os"
	"testing"

	"github.com/scopevault/scopevault/internal/testskip"
)

// TestMain names the tests skipped because python3 is missing
// (internal/testskip).
func TestMain(m *testing.M) { os.Exit(testskip.Main(m)) }
