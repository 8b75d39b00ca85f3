package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// reservedTables are the folded names of the driver's own tables and of the system tables; an
// app with one of these names is reached under its suffixed name instead. (Filled by init:
// the tables' declarations refer back to the catalog.)
var reservedTables = map[string]bool{}

func init() {
	for _, d := range ownTableInfos() {
		reservedTables[strings.ToLower(d.table.Name)] = true
	}
	for name := range systemTables {
		reservedTables[name] = true
	}
}

// appEntry is one app as a table name.
type appEntry struct {
	app    kclient.App
	name   string          // table name
	tables []*schema.Table // built on first use: the app's table, then its child tables
}

// catalog knows the apps, lists them lazily (never every app's fields just to connect) and
// builds tables on first use.
type catalog struct {
	e      *Engine
	loaded bool
	apps   []*appEntry
	byName map[string]*appEntry // lower-cased table name (and App_<id> alias)
}

func newCatalog(e *Engine) *catalog { return &catalog{e: e} }

func (c *catalog) load(ctx context.Context) error {
	if c.loaded {
		return nil
	}
	var apps []kclient.App
	if ids := c.e.opts.AppIDs; len(ids) > 0 {
		for _, id := range ids {
			a, err := c.e.client.App(ctx, id)
			if err != nil {
				return err
			}
			apps = append(apps, *a)
		}
	} else {
		var err error
		if apps, err = c.e.client.Apps(ctx, nil); err != nil {
			return err
		}
	}
	c.setApps(c.usableApps(apps))
	c.loaded = true
	return nil
}

// usableApps warns about the apps kintone listed in an unexpected shape and leaves out those
// without a usable id (they cannot be read); the rest are used with the odd attributes ignored.
func (c *catalog) usableApps(apps []kclient.App) []kclient.App {
	out := apps[:0:0]
	for _, a := range apps {
		if a.AppID <= 0 {
			c.e.warn("kintone's app list: an entry is left out (name %q): %s", a.Name, strings.Join(a.Problems, "; "))
			continue
		}
		for _, p := range a.Problems {
			c.e.warn("kintone's app list: app %d (%q): %s", a.AppID, a.Name, p)
		}
		out = append(out, a)
	}
	return out
}

// setApps names the apps: an app is named after itself (reduced to letters, digits and
// underscores with UseSimpleNames) unless the name is one of the driver's
// own tables or is shared with an app of a lower id; then it is <name>_<id>. Every app is also
// reachable as App_<id>.
func (c *catalog) setApps(apps []kclient.App) {
	c.apps = nil
	c.byName = map[string]*appEntry{}
	nameOf := func(a kclient.App) string {
		if c.e.opts.Schema.UseSimpleNames {
			return schema.SimpleName(a.Name)
		}
		return a.Name
	}
	taken := map[string]int64{}
	for _, a := range apps {
		k := strings.ToLower(nameOf(a))
		if prev, ok := taken[k]; !ok || a.AppID < prev {
			taken[k] = a.AppID
		}
	}
	for _, a := range apps {
		name := nameOf(a)
		k := strings.ToLower(name)
		if name == "" || reservedTables[k] || taken[k] != a.AppID {
			name = name + "_" + strconv.FormatInt(a.AppID, 10)
		}
		en := &appEntry{app: a, name: name}
		c.apps = append(c.apps, en)
		c.byName[strings.ToLower(name)] = en
	}
	for _, en := range c.apps {
		alias := "app_" + strconv.FormatInt(en.app.AppID, 10)
		if _, ok := c.byName[alias]; !ok {
			c.byName[alias] = en
		}
	}
}

// tablesOf builds (once) the tables of an app.
func (c *catalog) tablesOf(ctx context.Context, en *appEntry) ([]*schema.Table, error) {
	if en.tables != nil {
		return en.tables, nil
	}
	ff, err := c.e.client.FormFields(ctx, en.app.AppID, c.e.opts.Lang)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("app %d (table %s)", en.app.AppID, en.name)
	for _, p := range ff.Problems {
		c.e.warn("%s: %s", where, p)
	}
	fields := map[string]schema.Field{}
	for code, p := range ff.Properties {
		fields[code] = c.toField(where, code, p)
	}
	// Related apps of lookups: their API tokens travel with requests about this app.
	var related []int64
	for _, p := range ff.Properties {
		if p.Lookup != nil {
			if id, err := strconv.ParseInt(p.Lookup.RelatedApp.App, 10, 64); err == nil {
				related = append(related, id)
			}
		}
	}
	if len(related) > 0 && c.e.client.UsesTokens() {
		c.e.client.WithRelatedApps(en.app.AppID, related)
	}
	tables, warnings := schema.Build(en.name, en.app.AppID, en.app.Code, fields, c.e.opts.Schema)
	for _, w := range warnings {
		c.e.warn("%s", w)
	}
	en.tables = tables
	return en.tables, nil
}

// toField maps a field property; the properties' keys are the field codes, which records
// use, so a property without its own code takes its key. Attributes in an unexpected shape
// were ignored by the client: each is a warning.
func (c *catalog) toField(where, key string, p kclient.FieldProperty) schema.Field {
	for _, problem := range p.Problems {
		c.e.warn("%s: field %q: %s", where, key, problem)
	}
	if p.Code == "" {
		p.Code = key
	} else if p.Code != key {
		c.e.warn("%s: the property of field %q says its code is %q; %q is used", where, key, p.Code, key)
		p.Code = key
	}
	f := schema.Field{Code: p.Code, Type: p.Type, Label: p.Label, Format: p.Format, Enabled: p.Enabled, Expression: p.Expression}
	if p.Lookup != nil {
		for _, m := range p.Lookup.FieldMappings {
			f.CopyTargets = append(f.CopyTargets, m.Field)
		}
	}
	for label := range p.Options {
		f.Options = append(f.Options, label)
	}
	if len(p.Fields) > 0 {
		f.Fields = map[string]schema.Field{}
		for code, q := range p.Fields {
			f.Fields[code] = c.toField(where, code, q)
		}
	}
	return f
}

// resolve finds the table called name: an app, App_<id>, or <app><separator><subtable>.
// It returns nil, nil when there is none.
func (c *catalog) resolve(ctx context.Context, name string) (*schema.Table, error) {
	if t := systemTable(name); t != nil {
		return t, nil
	}
	if t := ownTableNamed(name); t != nil {
		return t, nil
	}
	if c.e.opts.UserSchema {
		if t := userViewNamed(name); t != nil {
			return t, nil
		}
		return nil, kerr.New(kerr.KindSQL, "no such table: %s (this connection has Schema=USER, whose tables are the "+
			"User API's Users, UserGroups and UserDepartments; kintone's apps are tables with Schema=REST, the default)", name)
	}
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	k := strings.ToLower(name)
	if en, ok := c.byName[k]; ok {
		ts, err := c.tablesOf(ctx, en)
		if err != nil {
			return nil, err
		}
		return ts[0], nil
	}
	// A child table: the app's name, the separator, the subtable's name.
	sep := strings.ToLower(c.e.opts.Schema.SubtableSeparator)
	for key, en := range c.byName {
		if !strings.HasPrefix(k, key+sep) {
			continue
		}
		ts, err := c.tablesOf(ctx, en)
		if err != nil {
			return nil, err
		}
		for _, t := range ts[1:] {
			child := strings.TrimPrefix(strings.ToLower(t.Name), strings.ToLower(en.name))
			if k == key+child {
				return t, nil
			}
		}
	}
	return nil, nil
}

// Tables lists every app's table name (those of ListedTables when set) without reading any
// app's fields.
func (e *Engine) Tables(ctx context.Context) ([]kclient.App, []string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opts.UserSchema {
		return nil, nil, nil // no app is a table
	}
	if err := e.catalog.load(ctx); err != nil {
		return nil, nil, err
	}
	var apps []kclient.App
	var names []string
	for _, en := range e.catalog.apps {
		if e.listed("", en.name) {
			apps, names = append(apps, en.app), append(names, en.name)
		}
	}
	return apps, names, nil
}
