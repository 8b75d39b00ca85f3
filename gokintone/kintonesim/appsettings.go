package kintonesim

// The app settings a fixture gives as kintone returns them, beyond the form, the views and
// process management: notifications (app/notifications/general.json, perRecord.json and
// reminder.json), graphs (app/reports.json) and actions (app/actions.json). Attributes a
// fixture leaves out get the values kintone sends for them, and numbers are sent as strings,
// as kintone writes every number of these replies.

import (
	"encoding/json"
	"sort"
	"strconv"
)

// Notifications are an app's notification settings, each in the shape of its endpoint's reply.
type Notifications struct {
	// General are general.json's notifications: an entity ({type, code}), includeSubs and the
	// events it hears of (recordAdded, recordEdited, commentAdded, statusChanged, fileImported).
	General []map[string]any `json:"general,omitempty"`
	// NotifyToCommenter tells that the users who commented on a record hear of it too.
	NotifyToCommenter bool `json:"notifyToCommenter,omitempty"`
	// PerRecord are perRecord.json's notifications: filterCond, title and targets.
	PerRecord []map[string]any `json:"perRecord,omitempty"`
	// Reminder are reminder.json's notifications: timing ({code, daysLater, hoursLater or
	// time}), filterCond, title and targets.
	Reminder []map[string]any `json:"reminder,omitempty"`
	// ReminderTimezone is the time zone of the reminders' times; default the users' time zone.
	ReminderTimezone string `json:"reminderTimezone,omitempty"`
}

// chartModeTypes are the chart types that have a chartMode.
var chartModeTypes = map[string]bool{"BAR": true, "COLUMN": true, "AREA": true, "SPLINE_AREA": true}

// getGeneralNotifications answers GET app/notifications/general.json, which has no lang
// parameter.
func (a appAPI) getGeneralNotifications(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, rev, e := a.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	n := notificationsOf(d)
	list := make([]any, len(n.General))
	for i, g := range n.General {
		list[i] = filled(g, map[string]any{"includeSubs": false, "recordAdded": false, "recordEdited": false,
			"commentAdded": false, "statusChanged": false, "fileImported": false})
	}
	return map[string]any{"notifications": list, "notifyToCommenter": n.NotifyToCommenter, "revision": strconv.FormatInt(rev, 10)}, nil
}

// getPerRecordNotifications answers GET app/notifications/perRecord.json.
func (a appAPI) getPerRecordNotifications(q *request) (any, *apiError) {
	return a.readSettings(q, func(d *appDef, rev int64) any {
		n := notificationsOf(d)
		list := make([]any, len(n.PerRecord))
		for i, p := range n.PerRecord {
			list[i] = targetedNotification(p)
		}
		return map[string]any{"notifications": list, "revision": strconv.FormatInt(rev, 10)}
	})
}

// getReminderNotifications answers GET app/notifications/reminder.json. A timing without
// time has hoursLater.
func (a appAPI) getReminderNotifications(q *request) (any, *apiError) {
	return a.readSettings(q, func(d *appDef, rev int64) any {
		n := notificationsOf(d)
		list := make([]any, len(n.Reminder))
		for i, r := range n.Reminder {
			v := targetedNotification(r)
			timing, _ := v["timing"].(map[string]any)
			defaults := map[string]any{"code": "", "daysLater": "0"}
			if _, ok := timing["time"]; !ok {
				defaults["hoursLater"] = "0"
			}
			v["timing"] = filled(timing, defaults)
			list[i] = v
		}
		tz := n.ReminderTimezone
		if tz == "" {
			tz = a.loc.String()
		}
		return map[string]any{"notifications": list, "timezone": tz, "revision": strconv.FormatInt(rev, 10)}
	})
}

// getReports answers GET app/reports.json: the fixture's graphs by name, each with its name,
// an id (app id × 1000 + position by name + 1) and an index (its position) when the fixture
// does not say, a BAR chart counting records unless it says otherwise.
func (a appAPI) getReports(q *request) (any, *apiError) {
	return a.readSettings(q, func(d *appDef, rev int64) any {
		reports := map[string]any{}
		for i, name := range sortedNames(d.meta.Reports) {
			r := filled(d.meta.Reports[name], map[string]any{"name": name, "id": d.meta.ID*1000 + int64(i) + 1,
				"index": i, "chartType": "BAR", "groups": []any{}, "aggregations": []any{map[string]any{"type": "COUNT"}},
				"filterCond": "", "sorts": []any{}, "periodicReport": nil})
			chartType, _ := r["chartType"].(string)
			if _, ok := r["chartMode"]; !ok && chartModeTypes[chartType] {
				r["chartMode"] = "NORMAL"
			}
			reports[name] = r
		}
		return map[string]any{"reports": reports, "revision": strconv.FormatInt(rev, 10)}
	})
}

// getAppActions answers GET app/actions.json: the fixture's actions by name, with a name, an
// id and an index as getReports gives them, and the destination app's code or id when the
// fixture names it by the other.
func (a appAPI) getAppActions(q *request) (any, *apiError) {
	return a.readSettings(q, func(d *appDef, rev int64) any {
		actions := map[string]any{}
		for i, name := range sortedNames(d.meta.Actions) {
			act := filled(d.meta.Actions[name], map[string]any{"name": name, "id": d.meta.ID*1000 + int64(i) + 1,
				"index": i, "destApp": map[string]any{}, "mappings": []any{}, "entities": []any{}, "filterCond": ""})
			dest, _ := act["destApp"].(map[string]any)
			act["destApp"] = a.destApp(dest)
			actions[name] = act
		}
		return map[string]any{"actions": actions, "revision": strconv.FormatInt(rev, 10)}
	})
}

// destApp is an action's destination app with both its id and its code: the fixture may name
// it by either. The caller holds a.mu.
func (a appAPI) destApp(dest map[string]any) map[string]any {
	id, _ := dest["app"].(string)
	code, _ := dest["code"].(string)
	for _, appID := range a.appIDs {
		meta := &a.apps[appID].meta
		if id == strconv.FormatInt(meta.ID, 10) || (id == "" && code != "" && code == meta.Code) {
			return map[string]any{"app": strconv.FormatInt(meta.ID, 10), "code": meta.Code}
		}
	}
	return map[string]any{"app": id, "code": code}
}

// notificationsOf is the app's notification settings, none when the fixture gives none.
func notificationsOf(d *appDef) *Notifications {
	if d.meta.Notifications == nil {
		return &Notifications{}
	}
	return d.meta.Notifications
}

// targetedNotification is a per-record notification or a reminder with its defaults: empty
// filterCond and title, and each target's includeSubs.
func targetedNotification(n map[string]any) map[string]any {
	v := filled(n, map[string]any{"filterCond": "", "title": "", "targets": []any{}})
	targets, _ := v["targets"].([]any)
	for i, t := range targets {
		if m, ok := t.(map[string]any); ok {
			targets[i] = filled(m, map[string]any{"includeSubs": false})
		}
	}
	return v
}

// filled is a copy of v in kintone's strings (see kintoneStrings) with the attributes of
// defaults it lacks.
func filled(v map[string]any, defaults map[string]any) map[string]any {
	out := make(map[string]any, len(v)+len(defaults))
	for k, x := range v {
		out[k] = kintoneStrings(x)
	}
	for k, x := range defaults {
		if _, ok := out[k]; !ok {
			out[k] = kintoneStrings(x)
		}
	}
	return out
}

// kintoneStrings is a deep copy of a settings value with its numbers as strings, as kintone
// writes them in these replies.
func kintoneStrings(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = kintoneStrings(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = kintoneStrings(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = kintoneStrings(e)
		}
		return out
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return v
}

// sortedNames are the keys of settings by name, sorted.
func sortedNames(settings map[string]map[string]any) []string {
	names := make([]string, 0, len(settings))
	for n := range settings {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
