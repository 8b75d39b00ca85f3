package kintonesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"sort"
	"strconv"
)

// Fixture is the initial content of a simulated kintone domain. Its JSON form is described in
// FIXTURE.md; LoadFixture and ParseFixture read it.
type Fixture struct {
	// Lang chooses the default codes of the system fields: "ja" (default: レコード番号, 作成者,
	// 作成日時, 更新者, 更新日時) or "en" (Record_number, Created_by, Created_datetime,
	// Updated_by, Updated_datetime). An app may override it.
	Lang string `json:"lang,omitempty"`
	// TimeZone is the users' time zone (IANA name) used by date functions such as TODAY();
	// default Asia/Tokyo. Options.Location overrides it.
	TimeZone string `json:"timeZone,omitempty"`
	// BasicAuth, when set, makes every request pass an extra HTTP Basic layer first.
	BasicAuth     *BasicAuth `json:"basicAuth,omitempty"`
	Users         []User     `json:"users"`
	Organizations []Entity   `json:"organizations,omitempty"`
	Groups        []Entity   `json:"groups,omitempty"`
	Apps          []App      `json:"apps"`
	// OAuthClients are the OAuth clients registered in the domain (oauth.go).
	OAuthClients []OAuthClient `json:"oauthClients,omitempty"`
	// Spaces are the spaces space.json and space/members.json describe (api_spaces.go).
	Spaces []Space `json:"spaces,omitempty"`
	// Titles are the job titles users hold in organizations (User API, api_users.go).
	Titles []Entity `json:"titles,omitempty"`
}

// BasicAuth is the credential of the optional HTTP Basic layer in front of the domain.
type BasicAuth struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// User is a kintone user who can log in with password authentication.
type User struct {
	Code                string `json:"code"`
	Name                string `json:"name"`
	Password            string `json:"password,omitempty"`
	PrimaryOrganization string `json:"primaryOrganization,omitempty"`
	// The rest is what the User API (/v1/users.json …) returns; see api_users.go.
	SurName       string       `json:"surName,omitempty"`
	GivenName     string       `json:"givenName,omitempty"`
	Email         string       `json:"email,omitempty"`
	Valid         *bool        `json:"valid,omitempty"`         // default true
	Groups        []string     `json:"groups,omitempty"`        // group codes
	Organizations []Membership `json:"organizations,omitempty"` // "code" or {code, title}
}

// Membership is a user's place in an organization, with an optional title code. In JSON a
// plain organization code is accepted too.
type Membership struct {
	Code  string `json:"code"`
	Title string `json:"title,omitempty"`
}

// UnmarshalJSON accepts {"code", "title"} or an organization code.
func (m *Membership) UnmarshalJSON(b []byte) error {
	var code string
	if json.Unmarshal(b, &code) == nil {
		*m = Membership{Code: code}
		return nil
	}
	type plain Membership
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = Membership(p)
	return nil
}

// logsIn reports whether the user may log in with pass: a user with valid false is refused as a
// wrong password is (BEHAVIOUR.md, Authentication).
func (u *User) logsIn(pass string) bool {
	return u != nil && u.Password != "" && u.Password == pass && (u.Valid == nil || *u.Valid)
}

func (u *User) memberOf(org string) bool {
	for _, m := range u.Organizations {
		if m.Code == org {
			return true
		}
	}
	return false
}

// Entity is an organization or a group.
type Entity struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// App is one kintone app with its form, API tokens and records.
type App struct {
	ID           int64  `json:"id"`
	Code         string `json:"code,omitempty"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	SpaceID      int64  `json:"spaceId,omitempty"`
	ThreadID     int64  `json:"threadId,omitempty"`
	GuestSpaceID int64  `json:"guestSpaceId,omitempty"` // the app lives in this guest space
	Lang         string `json:"lang,omitempty"`         // overrides Fixture.Lang for system fields
	Creator      string `json:"creator,omitempty"`      // user code; default the first user
	CreatedAt    string `json:"createdAt,omitempty"`    // ISO-8601; default 2025-01-01T00:00:00Z
	// Fields maps field codes to properties in the shape of app/form/fields.json. System fields
	// that are not declared are added.
	Fields    map[string]FieldProperty `json:"fields"`
	APITokens []APIToken               `json:"apiTokens,omitempty"`
	// Records are in the shape of POST records.json ({"code": {"value": ...}}); "$id" and
	// "$revision" may be given, and so may system fields and CALC values.
	Records []RecordInput `json:"records,omitempty"`
	// RecordSource, when set, yields more records of the same shape, stored after Records as
	// the simulator starts: a generated app of a million records then never exists in memory
	// as RecordInput maps, only as stored records. It is not part of the JSON form, and each
	// iteration must yield the same records (a fixture may start several simulators).
	RecordSource iter.Seq[RecordInput] `json:"-"`
	// ProcessManagement enables statuses and assignees (process.go).
	ProcessManagement *ProcessManagement `json:"processManagement,omitempty"`
	// Rights are app/acl.json, field/acl.json and record/acl.json's rights (rights.go).
	Rights *Rights `json:"rights,omitempty"`
	// Layout is app/form/layout.json's layout, as is; generated from the fields when absent.
	Layout []any `json:"layout,omitempty"`
	// Views are app/views.json's views by name; a single "All" list view when absent.
	Views map[string]map[string]any `json:"views,omitempty"`
	// Notifications are app/notifications/*.json's settings (appsettings.go); none when absent.
	Notifications *Notifications `json:"notifications,omitempty"`
	// Reports are app/reports.json's graphs by name, as kintone returns them (appsettings.go).
	Reports map[string]map[string]any `json:"reports,omitempty"`
	// Actions are app/actions.json's actions by name, as kintone returns them (appsettings.go).
	Actions map[string]map[string]any `json:"actions,omitempty"`
	// NumberPrecision is how formulas round (calc_eval.go); default 16 digits, 4 decimal
	// places, HALF_EVEN.
	NumberPrecision *NumberPrecision `json:"numberPrecision,omitempty"`
}

// Space is a space of the domain. A guest space and a normal space may share an id: guest
// spaces are reached through /k/guest/{id}/v1/ only.
type Space struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	IsGuest   bool          `json:"isGuest,omitempty"`
	IsPrivate bool          `json:"isPrivate,omitempty"` // only members may read it
	Body      string        `json:"body,omitempty"`      // the space's HTML body
	Creator   string        `json:"creator,omitempty"`   // user code; default the first user
	Members   []SpaceMember `json:"members,omitempty"`
}

// SpaceMember is a member of a space; in JSON a plain user code is accepted too.
type SpaceMember struct {
	Entity      EntityRef `json:"entity"` // USER, GROUP or ORGANIZATION
	IsAdmin     bool      `json:"isAdmin,omitempty"`
	IncludeSubs bool      `json:"includeSubs,omitempty"`
}

// UnmarshalJSON accepts {"entity": {...}, "isAdmin", "includeSubs"} or a user code.
func (m *SpaceMember) UnmarshalJSON(b []byte) error {
	var code string
	if json.Unmarshal(b, &code) == nil {
		*m = SpaceMember{Entity: EntityRef{Code: code, Type: "USER"}}
		return nil
	}
	type plain SpaceMember
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Entity.Type == "" {
		p.Entity.Type = "USER"
	}
	*m = SpaceMember(p)
	return nil
}

// APIToken is an app's API token and what it may do.
type APIToken struct {
	Token  string `json:"token"`
	View   bool   `json:"view"`
	Add    bool   `json:"add"`
	Edit   bool   `json:"edit"`
	Delete bool   `json:"delete"`
}

// records yields the app's records: Records, then those of RecordSource.
func (a *App) records() iter.Seq[RecordInput] {
	return func(yield func(RecordInput) bool) {
		for _, in := range a.Records {
			if !yield(in) {
				return
			}
		}
		if a.RecordSource != nil {
			a.RecordSource(yield)
		}
	}
}

// RecordInput is one record in the shape kintone accepts on POST: field code → {"value": ...}.
type RecordInput map[string]ValueInput

// ValueInput is one field value of a RecordInput. Value holds what JSON decoding produces
// (string, json.Number or float64, []any, map[string]any, nil); []string and
// []map[string]any are accepted too.
type ValueInput struct {
	Value any `json:"value"`
}

// FieldProperty is a field in the shape of app/form/fields.json. Properties kintone returns
// that are not given are filled with kintone's defaults for the type when the form is listed.
type FieldProperty struct {
	Type            string                   `json:"type"`
	Code            string                   `json:"code,omitempty"`
	Label           string                   `json:"label,omitempty"`
	NoLabel         bool                     `json:"noLabel,omitempty"`
	Required        bool                     `json:"required,omitempty"`
	Unique          bool                     `json:"unique,omitempty"`
	MaxLength       NumString                `json:"maxLength,omitempty"`
	MinLength       NumString                `json:"minLength,omitempty"`
	MaxValue        NumString                `json:"maxValue,omitempty"`
	MinValue        NumString                `json:"minValue,omitempty"`
	DefaultValue    any                      `json:"defaultValue,omitempty"`
	DefaultNowValue bool                     `json:"defaultNowValue,omitempty"`
	Options         OptionSet                `json:"options,omitempty"`
	Align           string                   `json:"align,omitempty"`
	Expression      string                   `json:"expression,omitempty"`
	HideExpression  bool                     `json:"hideExpression,omitempty"`
	Digit           bool                     `json:"digit,omitempty"`
	DisplayScale    NumString                `json:"displayScale,omitempty"`
	Unit            string                   `json:"unit,omitempty"`
	UnitPosition    string                   `json:"unitPosition,omitempty"`
	Format          string                   `json:"format,omitempty"`
	Protocol        string                   `json:"protocol,omitempty"`
	ThumbnailSize   NumString                `json:"thumbnailSize,omitempty"`
	Entities        []EntityRef              `json:"entities,omitempty"`
	Fields          map[string]FieldProperty `json:"fields,omitempty"` // SUBTABLE columns
	Lookup          *Lookup                  `json:"lookup,omitempty"`
	Enabled         *bool                    `json:"enabled,omitempty"` // STATUS, CATEGORY...
	// Extra properties are returned as they are by app/form/fields.json.
	Extra map[string]any `json:"extra,omitempty"`
}

// EntityRef names a user, organization or group in a field property.
type EntityRef struct {
	Code string `json:"code"`
	Type string `json:"type"` // USER, ORGANIZATION, GROUP, FUNCTION
}

// Lookup is the lookup setting of a SINGLE_LINE_TEXT or NUMBER key field.
type Lookup struct {
	RelatedApp         RelatedApp     `json:"relatedApp"`
	RelatedKeyField    string         `json:"relatedKeyField"`
	FieldMappings      []FieldMapping `json:"fieldMappings"`
	LookupPickerFields []string       `json:"lookupPickerFields"`
	FilterCond         string         `json:"filterCond"`
	Sort               string         `json:"sort"`
}

// RelatedApp identifies the source app of a lookup.
type RelatedApp struct {
	App  NumString `json:"app"`
	Code string    `json:"code"`
}

// FieldMapping copies relatedField of the source record into field.
type FieldMapping struct {
	Field        string `json:"field"`
	RelatedField string `json:"relatedField"`
}

// Option is one choice of a selection field.
type Option struct {
	Label string    `json:"label"`
	Index NumString `json:"index"`
}

// OptionSet holds the choices of a CHECK_BOX, RADIO_BUTTON, DROP_DOWN or MULTI_SELECT field, by
// label. In JSON they may also be written as a plain array of labels.
type OptionSet map[string]Option

// UnmarshalJSON accepts kintone's {"label": {"label", "index"}} form and a plain array.
func (o *OptionSet) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var labels []string
		if err := json.Unmarshal(b, &labels); err != nil {
			return err
		}
		*o = OptionList(labels...)
		return nil
	}
	var m map[string]Option
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*o = m
	return nil
}

// OptionList builds an OptionSet from labels in index order.
func OptionList(labels ...string) OptionSet {
	o := make(OptionSet, len(labels))
	for i, l := range labels {
		o[l] = Option{Label: l, Index: NumString(strconv.Itoa(i))}
	}
	return o
}

// sorted returns the option labels in index order (labels break ties).
func (o OptionSet) sorted() []string {
	labels := make([]string, 0, len(o))
	for l := range o {
		labels = append(labels, l)
	}
	sort.Slice(labels, func(i, j int) bool {
		a, _ := strconv.Atoi(string(o[labels[i]].Index))
		b, _ := strconv.Atoi(string(o[labels[j]].Index))
		if a != b {
			return a < b
		}
		return labels[i] < labels[j]
	})
	return labels
}

// NumString is a number that kintone writes as a string; JSON numbers are accepted too.
type NumString string

// UnmarshalJSON accepts a JSON string or number.
func (n *NumString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = NumString(s)
		return nil
	}
	if string(b) == "null" {
		*n = ""
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return fmt.Errorf("kintonesim: expected a number or a string, got %s", b)
	}
	*n = NumString(num.String())
	return nil
}

// ParseFixture reads a fixture from its JSON form.
func ParseFixture(data []byte) (*Fixture, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var f Fixture
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("kintonesim: fixture: %w", err)
	}
	return &f, nil
}

// LoadFixture reads a fixture from a JSON file.
func LoadFixture(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kintonesim: %w", err)
	}
	return ParseFixture(data)
}
