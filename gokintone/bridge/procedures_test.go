package bridge

import (
	"strings"
	"testing"
)

func TestParseExecute(t *testing.T) {
	name, args, n, err := parseExecute("EXECUTE [GetOAuthAccessToken] AuthMode = 'WEB', Verifier = ?, -- comment\n Scope='a ''b''';")
	if err != nil || name != "GetOAuthAccessToken" || n != 1 || len(args) != 3 {
		t.Fatalf("%q %v %d %v", name, args, n, err)
	}
	if args[0].name != "AuthMode" || args[0].value != "WEB" || args[1].value != paramRef(0) || args[2].value != "a 'b'" {
		t.Errorf("args %+v", args)
	}
	_, args, _, err = parseExecute("exec RefreshOAuthAccessToken 'tok', NULL, 1.5e3")
	if err != nil || args[0].value != "tok" || args[1].value != nil || args[2].value != "1.5e3" {
		t.Errorf("positional %+v %v", args, err)
	}
	for _, bad := range []string{"EXECUTE", "EXECUTE X a", "EXECUTE X a=", "EXECUTE X a=1 b=2", "EXECUTE X a=1,", "EXECUTE X a='x"} {
		if _, _, _, err := parseExecute(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestBindExecute(t *testing.T) {
	p := lookupProcedure("getoauthaccesstoken")
	_, args, _, _ := parseExecute("EXECUTE GetOAuthAccessToken 'WEB', ?, CallbackURL='cb'")
	in, err := bindExecute(p, args, []any{"code"})
	if err != nil || in["AuthMode"] != "WEB" || in["Verifier"] != "code" || in["CallbackURL"] != "cb" {
		t.Errorf("%v %v", in, err)
	}
	_, args, _, _ = parseExecute("EXECUTE GetOAuthAccessToken Verifer='x'")
	if _, err := bindExecute(p, args, nil); err == nil || !strings.Contains(err.Error(), "did you mean Verifier?") {
		t.Errorf("suggestion: %v", err)
	}
	_, args, _, _ = parseExecute("EXECUTE GetOAuthAccessToken Verifier='x', 'APP'")
	if _, err := bindExecute(p, args, nil); err == nil || !strings.Contains(err.Error(), "positional values first") {
		t.Errorf("order: %v", err)
	}
}

func TestSecretsInExecute(t *testing.T) {
	for _, sql := range []string{
		"EXECUTE GetOAuthAccessToken Verifier='s3cret-code', Bogus=1",
		"EXECUTE GetOAuthAccessToken Verifier='s3cret-code' oops $",
		"EXECUTE GetOAuthAccessToken 'WEB', 's3cret-code'",
		"EXECUTE Anything Code = 's3cret-code",
		"EXECUTE RefreshOAuthAccessToken OAuthRefreshToken=?",
	} {
		got := secretsInExecute(sql, []any{"s3cret-code"})
		if len(got) == 0 || got[0] != "s3cret-code" {
			t.Errorf("%q: %q", sql, got)
		}
	}
	if got := secretsInExecute("SELECT 'Verifier=x'", nil); got != nil {
		t.Errorf("SELECT: %q", got)
	}
}
