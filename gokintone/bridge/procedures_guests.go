package bridge

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/engine"
	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// The stored procedures of guest users (kintone's guests.json and space/guests.json), with the
// reference product's names, parameters and result column. kintone lets its system
// administrators add and delete guests, and a guest space's administrators set its guests.

// guestAttributes are AddGuests' parameters of one guest, each with the attribute of kintone's
// guest it sets.
var guestAttributes = []struct {
	param     procParam
	attribute string
}{
	{procParam{Name: "Name", Description: "The guest's display name (1 to 128 characters)."}, "name"},
	{procParam{Name: "Code", Description: "The guest's email address, its login name."}, "code"},
	{procParam{Name: "Password", Secret: true, Description: "The guest's login password."}, "password"},
	{procParam{Name: "Timezone", Description: "The guest's time zone, such as Asia/Tokyo."}, "timezone"},
	{procParam{Name: "Locale", Description: "The guest's language: auto (the browser's, the default), en, zh or ja."}, "locale"},
	{procParam{Name: "Image", Description: "The file key (of UploadFile) of the guest's profile image."}, "image"},
	{procParam{Name: "SurNameReading", Description: "The phonetic reading of the guest's surname (at most 64 characters)."}, "surNameReading"},
	{procParam{Name: "GivenNameReading", Description: "The phonetic reading of the guest's given name (at most 64 characters)."}, "givenNameReading"},
	{procParam{Name: "Company", Description: "The guest's company (at most 100 characters)."}, "company"},
	{procParam{Name: "Division", Description: "The guest's department (at most 100 characters)."}, "division"},
	{procParam{Name: "Phone", Description: "The guest's phone number (at most 100 characters)."}, "phone"},
	{procParam{Name: "Callto", Description: "The guest's Skype name (at most 256 characters)."}, "callto"},
}

// guestsParam is the parameter of DeleteGuests and AddGuestsToSpace.
var guestsParam = procParam{Name: "Guests", Required: true,
	Description: `The guests' email addresses: a JSON array (["a@example.com", …]) or separated by commas (at most 100).`}

var guestProcedures = []*procedure{
	{
		Name: "AddGuests",
		Description: "Adds guest users to kintone (no invitation is sent, and they join no guest space: AddGuestsToSpace " +
			"does that). One guest by the parameters Name, Code, Password and Timezone (and the optional ones), or several " +
			"by GuestsAggregate.",
		Params:  addGuestsParams(),
		Outputs: []engine.Column{textColumn("Success")},
		run:     procAddGuests,
	},
	{
		Name:        "DeleteGuests",
		Description: "Deletes guest users from kintone (they leave their guest spaces too).",
		Params:      []procParam{guestsParam},
		Outputs:     []engine.Column{textColumn("Success")},
		run:         procDeleteGuests,
	},
	{
		Name:        "AddGuestsToSpace",
		Description: "Sets the guests of a guest space: the guests given become its guest members, in place of the ones it had.",
		Params: []procParam{
			{Name: "GuestSpaceId", Required: true, Description: "The guest space (any guest space, whatever the connection's GuestSpaceId)."},
			guestsParam,
		},
		Outputs: []engine.Column{textColumn("Success")},
		run:     procAddGuestsToSpace,
	},
}

// addGuestsParams are AddGuests' parameters: one guest's attributes, then GuestsAggregate.
func addGuestsParams() []procParam {
	params := make([]procParam, 0, len(guestAttributes)+1)
	for _, a := range guestAttributes {
		params = append(params, a.param)
	}
	return append(params, procParam{Name: "GuestsAggregate",
		Description: "Several guests instead of the other parameters: a JSON array of kintone's guest objects " +
			`([{"code": …, "password": …, "timezone": …, "name": …}, …]), or the name of a TEMP table with a row per ` +
			"guest whose columns are named like the parameters (Name, Code, Password, Timezone, …)."})
}

func procAddGuests(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "AddGuests"
	one := map[string]any{}
	for _, a := range guestAttributes {
		if v, ok := in[a.param.Name]; ok {
			one[a.attribute] = v
		}
	}
	aggregate, hasAggregate := in["GuestsAggregate"]
	var guests []map[string]any
	switch {
	case hasAggregate && len(one) > 0:
		return nil, kerr.New(kerr.KindInvalidArgument, "%s takes one guest's parameters or GuestsAggregate, not both", proc)
	case hasAggregate:
		var err error
		if guests, err = guestsAggregate(ctx, c, aggregate); err != nil {
			return nil, err
		}
	case len(one) > 0:
		guests = []map[string]any{one}
	default:
		return nil, kerr.New(kerr.KindInvalidArgument, "%s needs a guest: Name, Code, Password and Timezone (and the optional "+
			"parameters), or GuestsAggregate for several", proc)
	}
	err := c.client.Do(ctx, kclient.Request{Method: "POST", Endpoint: "guests", Body: map[string]any{"guests": guests}}, nil)
	if err != nil {
		return nil, err
	}
	return [][]any{{"true"}}, nil
}

// guestsAggregate reads AddGuests' GuestsAggregate: a JSON array of guest objects, or the name
// of a TEMP table with a row per guest.
func guestsAggregate(ctx context.Context, c *conn, v string) ([]map[string]any, error) {
	v = strings.TrimSpace(v)
	var guests []map[string]any
	if strings.HasPrefix(v, "[") {
		// The text is not quoted in the error: it holds passwords.
		if err := json.Unmarshal([]byte(v), &guests); err != nil {
			return nil, kerr.New(kerr.KindInvalidArgument, "AddGuests: GuestsAggregate is not a JSON array of guest objects: %v", err)
		}
		return guests, nil
	}
	s, err := c.eng.Execute(ctx, "SELECT * FROM temp."+schema.QuoteIdent(v), nil)
	if err != nil {
		return nil, kerr.As(err).WithMessage("AddGuests: GuestsAggregate is neither a JSON array nor a TEMP table: "+kerr.As(err).Message, err)
	}
	defer s.Close()
	attributes := make([]string, len(s.Columns()))
	for i, col := range s.Columns() {
		for _, a := range guestAttributes {
			if strings.EqualFold(col.Name, a.param.Name) {
				attributes[i] = a.attribute
			}
		}
		if attributes[i] == "" {
			names := make([]string, len(guestAttributes))
			for j, a := range guestAttributes {
				names[j] = a.param.Name
			}
			return nil, kerr.New(kerr.KindInvalidArgument, "AddGuests: the column %s of GuestsAggregate %s is not a guest's "+
				"attribute (the columns are named like AddGuests' parameters: %s)", strconv.Quote(col.Name), strconv.Quote(v),
				strings.Join(names, ", "))
		}
	}
	for done := false; !done; {
		var rows [][]any
		if rows, done, err = s.Fetch(500); err != nil {
			return nil, err
		}
		for _, row := range rows {
			g := map[string]any{}
			for i, val := range row {
				if val != nil {
					g[attributes[i]] = val
				}
			}
			guests = append(guests, g)
		}
	}
	return guests, nil
}

// guestsList reads the Guests parameter: a JSON array of email addresses, or a list separated
// by commas.
func guestsList(proc, v string) ([]string, error) {
	var guests []string
	if t := strings.TrimSpace(v); strings.HasPrefix(t, "[") {
		if err := json.Unmarshal([]byte(t), &guests); err != nil {
			return nil, kerr.New(kerr.KindInvalidArgument, "%s: Guests is not a JSON array of email addresses: %v", proc, err)
		}
	} else {
		guests = splitList(v)
	}
	if len(guests) == 0 {
		return nil, kerr.New(kerr.KindInvalidArgument, "%s: Guests names no guest", proc)
	}
	return guests, nil
}

func procDeleteGuests(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	guests, err := guestsList("DeleteGuests", in["Guests"])
	if err != nil {
		return nil, err
	}
	err = c.client.Do(ctx, kclient.Request{Method: "DELETE", Endpoint: "guests", Body: map[string]any{"guests": guests}}, nil)
	if err != nil {
		return nil, err
	}
	return [][]any{{"true"}}, nil
}

func procAddGuestsToSpace(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "AddGuestsToSpace"
	space, err := idParam(proc, "GuestSpaceId", in["GuestSpaceId"])
	if err != nil {
		return nil, err
	}
	guests, err := guestsList(proc, in["Guests"])
	if err != nil {
		return nil, err
	}
	err = c.client.Do(ctx, kclient.Request{Method: "PUT", Endpoint: "space/guests", GuestSpace: space,
		Body: map[string]any{"id": space, "guests": guests}}, nil)
	if err != nil {
		return nil, err
	}
	return [][]any{{"true"}}, nil
}
