package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/kintone-oss/cdata-kintone/gokintone/engine"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/oauth"
)

// defineUserViews reads the UserDefinedViews file and makes its views views of the engine;
// every error names the file (and the view, when it is about one).
func defineUserViews(ctx context.Context, eng *engine.Engine, file string) error {
	views, err := readUserViews(oauth.ExpandPath(file))
	if err == nil {
		err = eng.DefineViews(ctx, views)
	}
	if err == nil {
		return nil
	}
	k := kerr.As(err)
	if k == nil {
		k = kerr.New(kerr.KindInvalidConfig, "%v", err)
	}
	return k.WithMessage(fmt.Sprintf("UserDefinedViews file %s: %s", strconv.Quote(file), k.Message), err)
}

// readUserViews reads a UserDefinedViews file: a JSON object whose members are the views, each
// {"query": "SELECT …"}, in the file's order.
func readUserViews(path string) ([]engine.UserView, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, kerr.Wrap(err, kerr.KindInvalidConfig, "cannot read it: %v", err)
	}
	bad := func(format string, args ...any) error {
		return kerr.New(kerr.KindInvalidConfig, "%s; the file holds a JSON object of views, as in "+
			`{"MyView": {"query": "SELECT …"}}`, fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, bad("it is not a JSON object%s", jsonProblem(err))
	}
	var views []engine.UserView
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad("it is not valid JSON%s", jsonProblem(err))
		}
		name, _ := tok.(string)
		var def struct {
			Query *string `json:"query"`
		}
		if err := dec.Decode(&def); err != nil {
			return nil, bad("view %q is not an object with a query%s", name, jsonProblem(err))
		}
		if def.Query == nil {
			return nil, bad("view %q has no query", name)
		}
		views = append(views, engine.UserView{Name: name, Query: *def.Query})
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad("it is not valid JSON%s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("text follows the JSON object")
	}
	return views, nil
}

// jsonProblem is ": " and what a JSON decoder said (with the byte offset of a syntax error),
// or "" for none.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &syntax):
		return fmt.Sprintf(" (at byte %d): %v", syntax.Offset, err)
	}
	return ": " + err.Error()
}
