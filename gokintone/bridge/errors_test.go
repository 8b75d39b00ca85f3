package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// classOf is the PEP 249 class of err.
func classOf(err error) Class {
	class, _, _ := classify(err)
	return class
}

func TestWire(t *testing.T) {
	base := &kerr.Error{Kind: kerr.KindAPIError, Code: "GAIA_IQ11", Status: 400, Message: `field "x" not found`}
	wrapped := fmt.Errorf("while reading Deals: %w", base)
	cases := []struct {
		err  error
		want string
	}{
		{base, `[cdata_kintone:ProgrammingError:GAIA_IQ11] field "x" not found`},
		{wrapped, `[cdata_kintone:ProgrammingError:GAIA_IQ11] while reading Deals: field "x" not found`},
		{errors.New("plain"), `[cdata_kintone:DatabaseError:] plain`},
		{kerr.New(kerr.KindNetwork, "multi\nline"), "[cdata_kintone:OperationalError:] multi\nline"},
		{&kerr.Error{Kind: kerr.KindOAuthTokenRevoked, Code: "invalid_grant", Message: "revoked"},
			"[cdata_kintone:OperationalError:invalid_grant:oauth_token_revoked] revoked"},
		{kerr.New(kerr.KindTLSUntrustedServer, "untrusted"), "[cdata_kintone:OperationalError::tls_untrusted_server] untrusted"},
		{kerr.New(kerr.KindTLSCertPassword, "locked"), "[cdata_kintone:InterfaceError::tls_cert_password] locked"},
		// the outermost error says what happened
		{kerr.Wrap(kerr.New(kerr.KindTLSCertPassword, "inner"), kerr.KindInternal, "outer"), "[cdata_kintone:InternalError:] outer"},
		// an error of no known kind is a DatabaseError
		{&kerr.Error{Message: "no kind"}, "[cdata_kintone:DatabaseError:] no kind"},
	}
	for _, c := range cases {
		if got := Wire(c.err); got != c.want {
			t.Errorf("Wire(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestClassForKintone(t *testing.T) {
	cases := []struct {
		code   string
		status int
		want   Class
	}{
		{"GAIA_AP01", 404, ProgrammingError},
		{"CB_WA01", 401, OperationalError},
		{"GAIA_CO02", 409, IntegrityError},
		{"GAIA_CO02", 400, IntegrityError},
		{"CB_VA01", 400, DataError},
		{"GAIA_IA02", 520, OperationalError},
		{"", 503, OperationalError},
		{"UNKNOWN", 404, ProgrammingError},
		{"UNKNOWN", 409, IntegrityError},
		{"UNKNOWN", 400, DatabaseError},
	}
	for _, c := range cases {
		err := &kerr.Error{Kind: kerr.KindAPIError, Code: c.code, Status: c.status, Message: "m"}
		if got := classOf(err); got != c.want {
			t.Errorf("%q, HTTP %d: %s, want %s", c.code, c.status, got, c.want)
		}
	}
}

// kindConstants reads the kerr package's source and returns its constants of type Kind, by
// name, with their text. It fails the test on a Kind* constant that is not a Kind with a
// string literal, which the table could not be checked against.
func kindConstants(t *testing.T) map[string]kerr.Kind {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "kerr", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]kerr.Kind{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			var typ ast.Expr // a spec without type and values repeats the previous one's
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if vs.Type != nil || vs.Values != nil {
					typ = vs.Type
				}
				id, _ := typ.(*ast.Ident)
				for i, n := range vs.Names {
					isKind := id != nil && id.Name == "Kind"
					if !isKind {
						if strings.HasPrefix(n.Name, "Kind") {
							t.Errorf("kerr.%s is not declared as a Kind", n.Name)
						}
						continue
					}
					text, ok := "", false
					if i < len(vs.Values) {
						if lit, isLit := vs.Values[i].(*ast.BasicLit); isLit && lit.Kind == token.STRING {
							text, err = strconv.Unquote(lit.Value)
							ok = err == nil
						}
					}
					if !ok {
						t.Errorf("kerr.%s: give its text as a string literal", n.Name)
						continue
					}
					kinds[n.Name] = kerr.Kind(text)
				}
			}
		}
	}
	return kinds
}

// TestEveryKindHasAClass: a kind added to kerr without a row in kindClasses fails here, and
// the table has no row for a kind kerr does not declare.
func TestEveryKindHasAClass(t *testing.T) {
	kinds := kindConstants(t)
	declared := map[kerr.Kind]bool{}
	for name, k := range kinds {
		declared[k] = true
		r, ok := kindClasses[k]
		if !ok {
			t.Errorf("kerr.%s (%q) has no row in kindClasses: give it the PEP 249 class Python raises", name, k)
		} else if (r.class == "") == !r.byCode {
			t.Errorf("kerr.%s: its row needs either a class or byCode", name)
		}
	}
	for k := range kindClasses {
		if !declared[k] {
			t.Errorf("kindClasses has a row for %q, which kerr does not declare", k)
		}
	}
	if len(kinds) < 2 {
		t.Fatalf("found %d kinds in kerr's source: the reading is broken", len(kinds))
	}
}

// TestErrorKinds: the list Python checks itself against has every kind, every kintone code
// and the fallback statuses, each rendered as Wire renders it.
func TestErrorKinds(t *testing.T) {
	text, err := ErrorKinds()
	if err != nil {
		t.Fatal(err)
	}
	var cases []errorCase
	if err := json.Unmarshal([]byte(text), &cases); err != nil {
		t.Fatal(err)
	}
	seen := map[kerr.Kind]bool{}
	codes := map[string]bool{}
	for _, c := range cases {
		seen[c.Kind] = true
		codes[c.Code] = true
		want := "[cdata_kintone:" + string(c.Class) + ":" + c.Code
		if c.WireKind != "" {
			want += ":" + c.WireKind
		}
		if c.Wire != want+"] sample" {
			t.Errorf("%+v: wire %q, want %q", c, c.Wire, want+"] sample")
		}
		if (c.WireKind != "") != kindClasses[c.Kind].sendKind || (c.WireKind != "" && c.WireKind != string(c.Kind)) {
			t.Errorf("%+v: the kind sent is wrong", c)
		}
	}
	for k := range kindClasses {
		if !seen[k] {
			t.Errorf("ErrorKinds lacks %s", k)
		}
	}
	for code := range kintoneClasses {
		if !codes[code] {
			t.Errorf("ErrorKinds lacks the kintone code %s", code)
		}
	}
	want := 0
	for _, r := range kindClasses {
		if r.byCode {
			want += len(kintoneClasses) + len(fallbackStatuses)
		} else {
			want++
		}
	}
	if len(cases) != want {
		t.Errorf("%d cases, want %d", len(cases), want)
	}
}
