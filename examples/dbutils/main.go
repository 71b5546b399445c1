// Command dbutils is the how-to's notebook cell in Go: it reads a secret
// with dbutils.secrets.get and prints its length, never the value.
//
//	go run ./examples/dbutils my-keyvault-scope db-password
//
// The workspace comes from DATABRICKS_HOST and DATABRICKS_TOKEN, or
// ~/.databrickscfg.
package main

import (
	"fmt"
	"os"

	"github.com/scopevault/scopevault/client/dbutils"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: dbutils SCOPE KEY")
		os.Exit(2)
	}
	db, err := dbutils.New() // DATABRICKS_HOST and DATABRICKS_TOKEN, or ~/.databrickscfg
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	password, err := db.Secrets.Get(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("Fetched secret length:", len(password)) // don't print the actual secret!
}
