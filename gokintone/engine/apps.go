package engine

// The Apps view: the apps of the domain as rows, read from apps.json (a view of the driver's
// own, read-only). Equalities on AppId, Code and SpaceId are sent to kintone as its ids,
// codes and spaceIds parameters (an IN list is one request per value, as SQLite scans once
// per value), and Name LIKE as its name parameter (the longest part of the pattern without
// wildcards; kintone matches a part of the name, ignoring case); every condition is then
// evaluated on the rows kintone returns.

import (
	"context"
	"strings"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// The columns of Apps, by index.
const (
	appID = iota
	appCode
	appName
	appDescription
	appSpaceID
	appThreadID
	appCreatedAt
	appCreatorCode
	appCreatorName
	appModifiedAt
	appModifierCode
	appModifierName
)

// appsView is the Apps view; the engine knows it by identity. Each column's FieldCode is the
// property of kintone's app object it holds.
var appsView = &schema.Table{Name: "Apps", Columns: []schema.Column{
	appID:           propertyColumn("AppId", "appId", schema.TypeInteger),
	appCode:         propertyColumn("Code", "code", schema.TypeVarchar),
	appName:         propertyColumn("Name", "name", schema.TypeVarchar),
	appDescription:  propertyColumn("Description", "description", schema.TypeVarchar),
	appSpaceID:      propertyColumn("SpaceId", "spaceId", schema.TypeInteger),
	appThreadID:     propertyColumn("ThreadId", "threadId", schema.TypeInteger),
	appCreatedAt:    propertyColumn("CreatedAt", "createdAt", schema.TypeDatetime),
	appCreatorCode:  propertyColumn("CreatorCode", "creator.code", schema.TypeVarchar),
	appCreatorName:  propertyColumn("CreatorName", "creator.name", schema.TypeVarchar),
	appModifiedAt:   propertyColumn("ModifiedAt", "modifiedAt", schema.TypeDatetime),
	appModifierCode: propertyColumn("ModifierCode", "modifier.code", schema.TypeVarchar),
	appModifierName: propertyColumn("ModifierName", "modifier.name", schema.TypeVarchar),
}}

// appsViewInfo describes Apps in the system tables.
var appsViewInfo = tableInfo{table: appsView, kind: "VIEW", keys: []int{appID},
	description: "The kintone apps the user can see. AppId, Code and SpaceId equalities (or IN lists) and Name LIKE are sent to kintone"}

// likePushed reports whether a LIKE on the column is used (sent to kintone, and re-checked in
// Go, which evaluates LIKE exactly): on Apps' Name only.
func (v *vtab) likePushed(op, col int) bool {
	return op == opLIKE && v.t == appsView && col == appName
}

// likeLiteral is the longest run of characters without wildcards in a LIKE pattern: every
// name the pattern matches contains it (ignoring case), as kintone's name parameter asks.
func likeLiteral(pattern string) string {
	longest := ""
	for _, part := range strings.FieldsFunc(pattern, func(r rune) bool { return r == '%' || r == '_' }) {
		if len([]rune(part)) > len([]rune(longest)) {
			longest = part
		}
	}
	return longest
}

// appsSource starts a scan of Apps: the apps kintone lists for the used equalities (the
// cursor re-checks every constraint on them).
func (v *vtab) appsSource(ctx context.Context, cons [][3]int, args []any) (rowSource, error) {
	var f kclient.AppsFilter
	for i, con := range cons {
		if con[1] == opLIKE {
			f.Name = likeLiteral(likeText(args[i]))
			continue
		}
		if con[1] != opEQ && con[1] != opIS {
			continue
		}
		switch con[0] {
		case appID, appSpaceID:
			id, ok := idValue(args[i])
			if !ok || id <= 0 {
				return &sliceSource{}, nil // no app has such an id
			}
			if con[0] == appID {
				f.ID = id
			} else {
				f.SpaceID = id
			}
		case appCode:
			code, ok := sqlValue(args[i]).(string)
			if !ok || code == "" {
				continue // the re-check decides
			}
			f.Code = code
		}
	}
	apps, err := v.e.client.FindApps(ctx, f)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(apps))
	for _, a := range apps {
		vals, err := appValues(a)
		if err != nil {
			return nil, err
		}
		rows = append(rows, vals)
	}
	return &sliceSource{rows: valueRows(rows)}, nil
}

// appValues are the row of Apps for a; empty values are NULL.
func appValues(a kclient.App) ([]any, error) {
	vals := []any{
		appID: a.AppID, appCode: a.Code, appName: a.Name, appDescription: a.Description,
		appCreatorCode: a.Creator.Code, appCreatorName: a.Creator.Name,
		appModifierCode: a.Modifier.Code, appModifierName: a.Modifier.Name,
	}
	if a.SpaceID != nil {
		vals[appSpaceID] = *a.SpaceID
	}
	if a.ThreadID != nil {
		vals[appThreadID] = *a.ThreadID
	}
	for col, t := range map[int]time.Time{appCreatedAt: a.CreatedAt, appModifiedAt: a.ModifiedAt} {
		if t.IsZero() {
			continue
		}
		v, err := appsView.Columns[col].FromText(t.UTC().Format(time.RFC3339))
		if err != nil {
			return nil, err
		}
		vals[col] = v
	}
	for i, v := range vals {
		if v == "" {
			vals[i] = nil
		}
	}
	return vals, nil
}

// readOnlyRefused is the error of a write to a view of the driver's own.
func readOnlyRefused(t *schema.Table) error {
	what := "kintone's settings"
	if userViewOf(t) != nil {
		what = "the cybozu User API"
	}
	return kerr.New(kerr.KindNotSupported, "%s is a view of %s: it cannot be written in this version", t.Name, what)
}

// ownTableInfos describe the tables and views of the driver's own, in the order sys_tables
// lists them.
func ownTableInfos() []tableInfo {
	infos := []tableInfo{commentsTableInfo, appsViewInfo}
	for _, s := range settingsTables {
		infos = append(infos, s.info)
	}
	return infos
}

// ownTable reports whether the engine computes the table's rows itself (a system table, or a
// table of the driver's own), instead of reading them as records.
func ownTable(t *schema.Table) bool {
	return t.System != "" || ownTableNamed(t.Name) == t || userViewOf(t) != nil
}

// ownTableNamed returns the table of the driver's own called name (case-insensitive), or nil.
func ownTableNamed(name string) *schema.Table {
	for _, d := range ownTableInfos() {
		if strings.EqualFold(name, d.table.Name) {
			return d.table
		}
	}
	return nil
}
