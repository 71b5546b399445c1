// Command scopevault runs and drives scopevault: `scopevault up` starts the
// whole system; `scopevault az ...` speaks the az syntax against it.
package main

import (
	"os"

	"github.com/scopevault/scopevault/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
