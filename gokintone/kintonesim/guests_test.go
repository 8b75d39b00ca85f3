package kintonesim_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestGuests(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	guest := func(code string) map[string]any {
		return map[string]any{"code": code, "password": "p@ss", "timezone": "Asia/Tokyo", "name": "Guest " + code}
	}
	wantBody(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{guest("g1@example.com"), guest("g2@example.com")}}, alice), `{}`)
	// Adding checks every guest first: nothing is added when one is refused.
	bad := guest("g3@example.com")
	bad["locale"] = "fr"
	wantErr(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{guest("g4@example.com"), bad}}, alice),
		400, "CB_VA01", "", "guests[1].locale")
	wantErr(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{guest("g1@example.com")}}, alice),
		400, "CB_VA01", "", "guests[0].code")
	wantErr(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{guest("alice")}}, alice),
		400, "CB_VA01", "", "guests[0].code")
	noName := guest("g5@example.com")
	delete(noName, "name")
	wantErr(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{noName}}, alice), 400, "CB_VA01", "", "guests[0].name")
	long := guest("g6@example.com")
	long["phone"] = strings.Repeat("1", 101)
	wantErr(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{long}}, alice), 400, "CB_VA01", "", "guests[0].phone")
	wantErr(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{}}, alice), 400, "CB_VA01", "", "guests")
	wantErr(t, call(t, s, "POST", "/k/v1/guests.json", map[string]any{"guests": []any{guest("g7@example.com")}}, tok("t-full")), 403, "GAIA_NO01", "")

	// The guests of guest space 9 (alice administers it through its path only).
	set := func(path string, guests []any, who map[string]string) resp {
		return call(t, s, "PUT", path, map[string]any{"id": 9, "guests": guests}, who)
	}
	wantBody(t, set("/k/guest/9/v1/space/guests.json", []any{"g1@example.com", "g2@example.com"}, alice), `{}`)
	if got := s.SpaceGuests(9); !reflect.DeepEqual(got, []string{"g1@example.com", "g2@example.com"}) {
		t.Errorf("the guests of space 9: %v", got)
	}
	wantErr(t, set("/k/v1/space/guests.json", []any{"g1@example.com"}, alice), 400, "GAIA_IL23", "")
	wantErr(t, set("/k/guest/9/v1/space/guests.json", []any{"g1@example.com"}, bob), 403, "CB_NO02", "")
	wantErr(t, set("/k/guest/9/v1/space/guests.json", []any{"bob"}, alice), 400, "CB_VA01", "", "guests[0]")
	wantErr(t, call(t, s, "PUT", "/k/v1/space/guests.json", map[string]any{"id": 7, "guests": []any{"g1@example.com"}}, alice),
		400, "CB_VA01", "", "id")

	// Deleting a guest takes it out of its spaces.
	wantBody(t, call(t, s, "DELETE", "/k/v1/guests.json", map[string]any{"guests": []any{"g1@example.com"}}, alice), `{}`)
	if got := s.SpaceGuests(9); !reflect.DeepEqual(got, []string{"g2@example.com"}) {
		t.Errorf("the guests of space 9 after the delete: %v", got)
	}
	wantErr(t, call(t, s, "DELETE", "/k/v1/guests.json", map[string]any{"guests": []any{"g1@example.com"}}, alice),
		400, "CB_VA01", "", "guests[0]")
	wantErr(t, set("/k/guest/9/v1/space/guests.json", []any{"g1@example.com"}, alice), 400, "CB_VA01", "", "guests[0]")
}
