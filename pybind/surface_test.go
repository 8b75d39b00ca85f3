package pybind

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pybind.go declares the native surface once; the two files below are derived from it. This
// test renders them again and fails when the committed ones differ, so a function added,
// removed or changed on one side only fails the test run. With -update it writes them.

var update = flag.Bool("update", false, "write the generated surface files")

const (
	surfacePy     = "../python/cdata_kintone/_surface.py"
	surfaceReadme = "README.md"
	tableBegin    = "<!-- surface table: generated from pybind.go by surface_test.go -->\n"
	tableEnd      = "<!-- end of surface table -->\n"
)

// native is one exported function of pybind.go.
type native struct {
	Name   string
	Params []param
	Result string // the Go type of the first result
	Doc    string
}

type param struct{ Name, Type string }

// pyTypes maps the Go types the surface may use onto what gopy gives Python.
var pyTypes = map[string]string{"string": "str", "int64": "int", "int": "int", "float64": "float", "bool": "bool"}

func TestSurface(t *testing.T) {
	fns := readSurface(t)
	if len(fns) == 0 {
		t.Fatal("no exported functions in pybind.go")
	}
	check(t, surfacePy, renderPython(fns))
	readme, err := os.ReadFile(surfaceReadme)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(readme, []byte(tableBegin)), bytes.Index(readme, []byte(tableEnd))
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q around the function table", surfaceReadme, tableBegin, tableEnd)
	}
	want := string(readme[:i+len(tableBegin)]) + renderTable(fns) + string(readme[j:])
	check(t, surfaceReadme, want)
}

// check compares a generated file with the committed one, or writes it with -update.
func check(t *testing.T, path, want string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is not what pybind.go declares: run `go test ./pybind -run TestSurface -update` and commit the result.\n--- want ---\n%s", filepath.Clean(path), want)
	}
}

// readSurface parses pybind.go and checks the rules every native function follows.
func readSurface(t *testing.T) []native {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "pybind.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var fns []native
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || !fd.Name.IsExported() {
			continue
		}
		n := native{Name: fd.Name.Name, Doc: strings.TrimSpace(fd.Doc.Text())}
		where := fset.Position(fd.Pos()).String() + ": " + n.Name
		if n.Doc == "" || !strings.HasPrefix(n.Doc, n.Name+" ") {
			t.Errorf("%s: the doc comment must start with the function's name", where)
		}
		for _, p := range fd.Type.Params.List {
			typ := types(p.Type)
			if pyTypes[typ] == "" {
				t.Errorf("%s: parameter type %s is not one of the surface's (string, int64, int, float64, bool)", where, typ)
			}
			for _, id := range p.Names {
				n.Params = append(n.Params, param{id.Name, typ})
			}
		}
		res := fd.Type.Results
		if res == nil || len(res.List) != 2 || types(res.List[1].Type) != "error" || len(res.List[1].Names) != 1 || res.List[1].Names[0].Name != "err" {
			t.Errorf("%s: must return (T, err error): gopy leaks a C string per call of a function returning only error", where)
			continue
		}
		n.Result = types(res.List[0].Type)
		if pyTypes[n.Result] == "" {
			t.Errorf("%s: result type %s is not one of the surface's", where, n.Result)
		}
		if !startsWithGuard(fd) {
			t.Errorf("%s: must start with `defer guard(&err)` (a Go panic would abort Python)", where)
		}
		fns = append(fns, n)
	}
	return fns
}

func types(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return fmt.Sprintf("%T", e)
}

func startsWithGuard(fd *ast.FuncDecl) bool {
	if fd.Body == nil || len(fd.Body.List) == 0 {
		return false
	}
	def, ok := fd.Body.List[0].(*ast.DeferStmt)
	if !ok {
		return false
	}
	fn, ok := def.Call.Fun.(*ast.Ident)
	return ok && fn.Name == "guard"
}

// renderPython renders the Protocol the Python side types the generated module with.
func renderPython(fns []native) string {
	var b strings.Builder
	b.WriteString(`"""The functions of the native core (the module gopy generates from pybind/pybind.go), typed.

Generated from pybind/pybind.go by ` + "`go test ./pybind -run TestSurface -update`" + `: do not edit.
Each docstring is the contract stated in pybind.go; JSON results are described there.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["FUNCTIONS", "NativeCore"]

#: The names of the native functions.
FUNCTIONS = (
`)
	for _, f := range fns {
		fmt.Fprintf(&b, "    %q,\n", f.Name)
	}
	b.WriteString(`)


class NativeCore(Protocol):
    """The native core module (cdata_kintone._core.core) as the Python side calls it."""
`)
	for _, f := range fns {
		args := []string{"self"}
		for _, p := range f.Params {
			args = append(args, snake(p.Name)+": "+pyTypes[p.Type])
		}
		if len(f.Params) > 0 {
			args = append(args, "/")
		}
		fmt.Fprintf(&b, "\n    def %s(%s) -> %s:\n", f.Name, strings.Join(args, ", "), pyTypes[f.Result])
		b.WriteString(`        """`)
		for i, line := range wrap(strings.ReplaceAll(f.Doc, "`", "``"), 85) {
			if i > 0 {
				b.WriteString("\n        ")
			}
			b.WriteString(line)
		}
		b.WriteString(`"""` + "\n        ...\n")
	}
	return b.String()
}

// renderTable renders README.md's function table.
func renderTable(fns []native) string {
	var b strings.Builder
	b.WriteString("| function | returns | contract |\n|---|---|---|\n")
	for _, f := range fns {
		names := make([]string, len(f.Params))
		for i, p := range f.Params {
			names[i] = p.Name
		}
		doc := strings.ReplaceAll(strings.Join(strings.Fields(f.Doc), " "), "|", `\|`)
		fmt.Fprintf(&b, "| `%s(%s)` | `%s` | %s |\n", f.Name, strings.Join(names, ", "), f.Result, doc)
	}
	return b.String()
}

// snake turns a Go parameter name into a Python one (waitMs → wait_ms).
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wrap breaks text into lines of at most width characters at spaces, keeping paragraphs.
func wrap(text string, width int) []string {
	var out []string
	for pi, para := range strings.Split(text, "\n\n") {
		if pi > 0 {
			out = append(out, "")
		}
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && len(line)+1+len(w) > width {
				out = append(out, line)
				line = w
				continue
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		out = append(out, line)
	}
	return out
}
