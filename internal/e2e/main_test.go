package e2e

import (
	"os"
	"testing"

	"github.com/scopevault/scopevault/internal/testskip"
)

// TestMain runs the tests, then names every test skipped for a missing
// tool (node, python3, az, the JS packages) so a plain `go test ./...`
// shows it (internal/testskip).
func TestMain(m *testing.M) { os.Exit(testskip.Main(m)) }
