package scopevault_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// wirePackages are peers: none may import another (STYLE: one package per wire protocol).
var wirePackages = []string{"internal/keyvault", "internal/entra", "internal/arm", "internal/databricks", "internal/portal"}

const module = "github.com/scopevault/scopevault"

// TestPackageDocs checks that every package says, in one doc comment, what
// it owns, and that the import rules the layout depends on hold.
func TestPackageDocs(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
			return filepath.SkipDir
		}
		checkPackage(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkPackage(t *testing.T, dir string) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	docs, files := 0, 0
	imports := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments|parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		files++
		if f.Doc != nil {
			docs++
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[p] = true
		}
	}
	if files == 0 {
		return
	}
	if docs != 1 {
		t.Errorf("package %s: %d files carry a package doc comment, want exactly 1", dir, docs)
	}
	if dir == "." {
		for p := range imports {
			if p == "net/http" || p == "database/sql" || strings.HasPrefix(p, module+"/") {
				t.Errorf("the domain package imports %s; it must know no technology and no internal package", p)
			}
		}
	}
	for _, w := range wirePackages {
		if dir != filepath.FromSlash(w) {
			continue
		}
		for _, other := range wirePackages {
			if other != w && imports[module+"/"+other] {
				t.Errorf("wire package %s imports wire package %s", w, other)
			}
		}
	}
}
