package bridge

import (
	"reflect"
	"strings"
	"testing"
)

func TestGuestProcedures(t *testing.T) {
	sim, conn := procConn(t, "")
	rows := mustQuery(t, conn, "EXECUTE AddGuests Name = 'Ann', Code = 'ann@example.com', Password = 'pa55word', Timezone = 'Asia/Tokyo'", "")
	if !reflect.DeepEqual(rows, [][]any{{"true"}}) {
		t.Errorf("AddGuests: %v", rows)
	}
	// Several, from a TEMP table.
	for _, sql := range []string{"CREATE TEMP TABLE NewGuests (Name, Code, Password, Timezone, Company)",
		"INSERT INTO NewGuests VALUES ('Ben', 'ben@example.com', 'pw1', 'UTC', 'Acme'), ('Cy', 'cy@example.com', 'pw2', 'UTC', NULL)",
		"CREATE TEMP TABLE Odd (Name, Nickname)"} {
		if _, err := executeWait(conn, sql, "[]"); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	mustQuery(t, conn, "EXECUTE AddGuests GuestsAggregate = 'NewGuests'", "")
	// And from JSON.
	mustQuery(t, conn, `EXECUTE AddGuests GuestsAggregate = '[{"code": "dee@example.com", "password": "pw3", "timezone": "UTC", "name": "Dee"}]'`, "")

	rows = mustQuery(t, conn, `EXECUTE AddGuestsToSpace GuestSpaceId = 5, Guests = '["ann@example.com", "ben@example.com", "cy@example.com", "dee@example.com"]'`, "")
	if !reflect.DeepEqual(rows, [][]any{{"true"}}) {
		t.Errorf("AddGuestsToSpace: %v", rows)
	}
	s, _ := getSim(sim)
	if got := s.rn.Server.SpaceGuests(5); !reflect.DeepEqual(got, []string{"ann@example.com", "ben@example.com", "cy@example.com", "dee@example.com"}) {
		t.Errorf("the guests of space 5: %v", got)
	}
	mustQuery(t, conn, "EXECUTE DeleteGuests Guests = 'ann@example.com, cy@example.com'", "")
	if got := s.rn.Server.SpaceGuests(5); !reflect.DeepEqual(got, []string{"ben@example.com", "dee@example.com"}) {
		t.Errorf("the guests of space 5 after DeleteGuests: %v", got)
	}

	for _, c := range []struct{ sql, want string }{
		{"EXECUTE AddGuests Name = 'Eve', Code = 'ben@example.com', Password = 'secret-eve', Timezone = 'UTC'", "CB_VA01"},
		{"EXECUTE AddGuests Name = 'Eve', GuestsAggregate = '[]'", "not both"},
		{"EXECUTE AddGuests", "AddGuests needs a guest"},
		{"EXECUTE AddGuests GuestsAggregate = '[{\"password\": \"secret-eve\"'", "not a JSON array of guest objects"},
		{"EXECUTE AddGuests GuestsAggregate = 'Nowhere'", "neither a JSON array nor a TEMP table"},
		{"EXECUTE DeleteGuests Guests = 'ann@example.com'", "CB_VA01"},
		{"EXECUTE DeleteGuests Guests = ''", "Guests names no guest"},
		{"EXECUTE AddGuestsToSpace GuestSpaceId = 1, Guests = 'ben@example.com'", "GAIA_SP01"},
		{"EXECUTE AddGuestsToSpace GuestSpaceId = 'x', Guests = 'ben@example.com'", "positive whole number"},
	} {
		_, err := executeWait(conn, c.sql, "[]")
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "secret-eve") {
			t.Errorf("%s: got %v, want an error containing %q", c.sql, err, c.want)
		}
	}
	if _, err := executeWait(conn, "EXECUTE AddGuests GuestsAggregate = 'Odd'", "[]"); err == nil || !strings.Contains(err.Error(), `the column "Nickname"`) {
		t.Errorf("a TEMP table with another column: %v", err)
	}
}
