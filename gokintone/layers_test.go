// Package gokintone_test checks the layering ARCHITECTURE.md describes: which package of the
// core may import which, and that no package below the bridge names a PEP 249 class.
package gokintone_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/kintone-oss/cdata-kintone/"

// allowed lists, for every package of the core (module-relative), the packages of this module
// it may import. A package missing here fails the test: a new package states its place.
var allowed = map[string][]string{
	"gokintone/kerr":                {},
	"gokintone/kquery":              {},
	"gokintone/schema":              {"gokintone/kerr"},
	"gokintone/internal/version":    {},
	"gokintone/internal/testtls":    {},
	"gokintone/internal/readmetest": {},
	"gokintone/connstr":             {"gokintone/kerr"},
	"gokintone/kclient":             {"gokintone/kerr", "gokintone/internal/version"},
	"gokintone/oauth":               {"gokintone/kerr", "gokintone/connstr"},
	"gokintone/engine":              {"gokintone/kerr", "gokintone/kclient", "gokintone/kquery", "gokintone/schema", "gokintone/internal/version"},
	// The simulator is kintone: it shares nothing with the driver but the query language.
	"gokintone/kintonesim":        {"gokintone/kquery"},
	"gokintone/kintonesim/sample": {"gokintone/kintonesim"},
	"gokintone/bridge": {"gokintone/kerr", "gokintone/connstr", "gokintone/kclient", "gokintone/oauth",
		"gokintone/engine", "gokintone/schema", "gokintone/kintonesim", "gokintone/kintonesim/sample",
		"gokintone/internal/version"},
	"pybind": {"gokintone/bridge"},
}

// pep249 matches the names of PEP 249 exception classes.
var pep249 = regexp.MustCompile(`\b(InterfaceError|DatabaseError|DataError|OperationalError|IntegrityError|InternalError|ProgrammingError|NotSupportedError)\b`)

func TestLayers(t *testing.T) {
	imports := map[string]map[string]bool{}
	for _, root := range []string{".", "../pybind"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			pkg := filepath.ToSlash(filepath.Dir(filepath.Join("gokintone", path)))
			if strings.HasPrefix(root, "..") {
				pkg = filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../")))
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
			if err != nil {
				return err
			}
			if imports[pkg] == nil {
				imports[pkg] = map[string]bool{}
			}
			for _, spec := range f.Imports {
				p, _ := strconv.Unquote(spec.Path.Value)
				if strings.HasPrefix(p, module) {
					imports[pkg][strings.TrimPrefix(p, module)] = true
				}
			}
			if pkg != "gokintone/bridge" && pkg != "pybind" {
				if m := pep249.Find(src); m != nil {
					t.Errorf("%s names the PEP 249 class %s: below the bridge, errors say what happened (kerr kinds) and the bridge gives the class", path, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	if len(pkgs) < 10 {
		t.Fatalf("found only %v", pkgs)
	}
	for _, pkg := range pkgs {
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s has no place in the layers: add it to `allowed` here and to ARCHITECTURE.md", pkg)
			continue
		}
		for imp := range imports[pkg] {
			if !contains(ok, imp) {
				t.Errorf("%s imports %s, which its layer may not (see ARCHITECTURE.md)", pkg, imp)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
