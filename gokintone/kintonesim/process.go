package kintonesim

import (
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// Process management: with an app's processManagement enabled, its records carry STATUS
// (ステータス/Status) and STATUS_ASSIGNEE (作業者/Assignee) values, changed by
// record/status.json, records/status.json (actions) and record/assignees.json.

// ProcessManagement is an app's process-management setting, in the shape of app/status.json.
type ProcessManagement struct {
	Enable  bool                    `json:"enable"`
	States  map[string]ProcessState `json:"states,omitempty"`
	Actions []ProcessAction         `json:"actions,omitempty"`
}

// ProcessState is a status. The state with the lowest index is the one new records get.
type ProcessState struct {
	Name     string           `json:"name,omitempty"` // defaults to the key
	Index    NumString        `json:"index"`
	Assignee *ProcessAssignee `json:"assignee,omitempty"`
}

// ProcessAssignee says who is assigned in a state: Type ONE (one of the candidates), ALL or
// ANY (all candidates), candidates from Entities.
type ProcessAssignee struct {
	Type     string          `json:"type"`
	Entities []ProcessEntity `json:"entities"`
}

// ProcessEntity is a candidate assignee: entity type USER, GROUP, ORGANIZATION (members per
// the fixture's user memberships), FIELD_ENTITY (a CREATOR, MODIFIER, USER_SELECT,
// ORGANIZATION_SELECT or GROUP_SELECT field of the record), CREATOR, or FUNCTION LOGINUSER
// (the user acting).
type ProcessEntity struct {
	Entity      EntityRef `json:"entity"`
	IncludeSubs bool      `json:"includeSubs"`
}

// ProcessAction moves a record from one status to another. FilterCond is a records query
// condition the record must match for the action to run.
type ProcessAction struct {
	Name       string `json:"name"`
	From       string `json:"from"`
	To         string `json:"to"`
	FilterCond string `json:"filterCond,omitempty"`
	Type       string `json:"type,omitempty"` // PRIMARY (default) or SECONDARY
}

var (
	msgProcessOff = text{"Your request failed. The process management feature has been disabled.",
		"操作に失敗しました。プロセス管理機能が無効化されています。"}
	msgStatusFail = text{
		"Failed to update the status. The settings or the status itself may have been changed by someone.",
		"ステータスの変更に失敗しました。ほかのユーザーがステータス、またはステータスの設定を変更した可能性があります。"}
	msgMaxAssignees = text{"Specify up to 100 assignees.", "作業者は100人まで指定できます。"}
	msgNoAssignee   = text{"Specify the assignee.", "作業者を指定してください。"}
	msgNotCandidate = func(code string) text {
		return text{fmt.Sprintf("The user (code: %s) cannot be the assignee of this status.", code),
			fmt.Sprintf("ユーザー（code: %s）はこのステータスの作業者に指定できません。", code)}
	}
)

// processOn reports whether an app uses process management.
func processOn(a *App) bool { return a.ProcessManagement != nil && a.ProcessManagement.Enable }

// processField reports whether f is a STATUS or STATUS_ASSIGNEE field holding values; those are
// read-only to record writes.
func processField(f *fieldDef) bool {
	return f.idx >= 0 && (f.typ == "STATUS" || f.typ == "STATUS_ASSIGNEE")
}

// checkProcess validates an app's process-management setting.
func checkProcess(a App) error {
	pm := a.ProcessManagement
	if pm == nil {
		return nil
	}
	if pm.Enable && len(pm.States) == 0 {
		return fmt.Errorf("kintonesim: app %d: processManagement has no states", a.ID)
	}
	for k, st := range pm.States {
		if st.Name != "" && st.Name != k {
			return fmt.Errorf("kintonesim: app %d: state %q has name %q", a.ID, k, st.Name)
		}
		if _, err := strconv.Atoi(string(st.Index)); err != nil && st.Index != "" {
			return fmt.Errorf("kintonesim: app %d: state %q: bad index %q", a.ID, k, st.Index)
		}
	}
	for _, ac := range pm.Actions {
		if _, ok := pm.States[ac.From]; !ok {
			return fmt.Errorf("kintonesim: app %d: action %q: unknown state %q", a.ID, ac.Name, ac.From)
		}
		if _, ok := pm.States[ac.To]; !ok {
			return fmt.Errorf("kintonesim: app %d: action %q: unknown state %q", a.ID, ac.Name, ac.To)
		}
	}
	return nil
}

// stateNames returns the states in index order.
func stateNames(pm *ProcessManagement) []string {
	names := make([]string, 0, len(pm.States))
	for n := range pm.States {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, _ := strconv.Atoi(string(pm.States[names[i]].Index))
		b, _ := strconv.Atoi(string(pm.States[names[j]].Index))
		if a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	return names
}

// initialStatus is the status a new record gets.
func (d *appDef) initialStatus() any {
	if d == nil || !processOn(&d.meta) {
		return ""
	}
	return stateNames(d.meta.ProcessManagement)[0]
}

// processFields returns the app's stored STATUS and STATUS_ASSIGNEE fields (nil when off).
func (d *appDef) processFields() (status, assignee *fieldDef) {
	for _, f := range d.stored {
		switch {
		case f.typ == "STATUS":
			status = f
		case f.typ == "STATUS_ASSIGNEE":
			assignee = f
		}
	}
	return status, assignee
}

// candidates lists the users a state may assign for record r (acting user actor), in
// directory order without duplicates.
func (s *store) candidates(d *appDef, r *record, state string, actor int32) (typ string, users []int32) {
	st, ok := d.meta.ProcessManagement.States[state]
	if !ok || st.Assignee == nil {
		return "", nil
	}
	seen := map[int32]bool{}
	add := func(i int32) {
		if !seen[i] {
			seen[i] = true
			users = append(users, i)
		}
	}
	members := func(kind byte, code string) {
		for _, u := range s.users {
			in := false
			if kind == kindGroup {
				in = slices.Contains(u.Groups, code)
			} else {
				in = u.PrimaryOrganization == code
				for _, m := range u.Organizations {
					in = in || m.Code == code
				}
			}
			if i, ok := s.dir.lookup(kindUser, u.Code); in && ok {
				add(i)
			}
		}
	}
	for _, pe := range st.Assignee.Entities {
		e := pe.Entity
		switch e.Type {
		case "USER":
			if i, ok := s.dir.lookup(kindUser, e.Code); ok {
				add(i)
			}
		case "GROUP":
			members(kindGroup, e.Code)
		case "ORGANIZATION":
			members(kindOrg, e.Code)
		case "CREATOR":
			add(r.creator)
		case "FUNCTION":
			if e.Code == "LOGINUSER" {
				add(actor)
			}
		case "FIELD_ENTITY":
			f := d.byCode[e.Code]
			if f == nil {
				continue
			}
			switch f.typ {
			case "CREATOR":
				add(r.creator)
			case "MODIFIER":
				add(r.modifier)
			case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT":
				list, _ := r.vals[f.idx].([]int32)
				for _, i := range list {
					switch f.typ {
					case "USER_SELECT":
						add(i)
					case "ORGANIZATION_SELECT":
						members(kindOrg, s.dir.get(i).code)
					default:
						members(kindGroup, s.dir.get(i).code)
					}
				}
			}
		}
	}
	slices.Sort(users)
	return st.Assignee.Type, users
}

// initAssignees sets the assignees of r for its current status: every candidate, or the first
// one when the state assigns ONE.
func (s *store) initAssignees(d *appDef, r *record, actor int32) {
	sf, af := d.processFields()
	if sf == nil || af == nil {
		return
	}
	state, _ := r.vals[sf.idx].(string)
	typ, users := s.candidates(d, r, state, actor)
	if typ == "ONE" && len(users) > 1 {
		users = users[:1]
	}
	r.vals[af.idx] = users
}

// fixtureAssignees sets default assignees of a fixture record that does not give them.
func (s *store) fixtureAssignees(d *appDef, r *record, in RecordInput) {
	if _, af := d.processFields(); af != nil {
		if _, given := in[af.code]; !given {
			s.initAssignees(d, r, r.creator)
		}
	}
}

// processTarget resolves the record an action or assignee change names.
func (d *appDef) processTarget(p map[string]any, prefix string) (int, *apiError) {
	if !processOn(&d.meta) {
		return 0, &apiError{status: 400, code: "GAIA_ST02", msg: msgProcessOff}
	}
	idText, ok := scalarString(p["id"])
	if !ok || p["id"] == nil || idText == "" {
		return 0, errInvalid(prefix+"id", msgRequired)
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 1 {
		return 0, errInvalid(prefix+"id", msgInteger)
	}
	i, found := d.find(id)
	if !found {
		return 0, errRecordNotFound(idText)
	}
	if e := checkRevision(p["revision"], d.records[i]); e != nil {
		return 0, e
	}
	return i, nil
}

// changed copies r for a process change by the acting user.
func (t *txn) changed(c *caller, r *record, revs int64) *record {
	next := *r
	next.vals = slices.Clone(r.vals)
	next.rev += revs
	next.modifier = c.user
	next.updated = t.s.nowMinute()
	return &next
}

// runAction runs one status action; prefix prefixes error keys ("records[0].").
func (t *txn) runAction(c *caller, d *appDef, p map[string]any, prefix string) (*record, *apiError) {
	i, e := d.processTarget(p, prefix)
	if e != nil {
		return nil, e
	}
	name, _ := scalarString(p["action"])
	if name == "" {
		return nil, errInvalid(prefix+"action", msgRequired)
	}
	sf, af := d.processFields()
	old := d.records[i]
	cur, _ := old.vals[sf.idx].(string)
	var act *ProcessAction
	for k := range d.meta.ProcessManagement.Actions {
		a := &d.meta.ProcessManagement.Actions[k]
		if a.Name == name && a.From == cur {
			act = a
			break
		}
	}
	if act == nil {
		return nil, &apiError{status: 400, code: "GAIA_IL03", msg: msgStatusFail}
	}
	if act.FilterCond != "" {
		parsed, err := kquery.Parse(act.FilterCond)
		var prog *kquery.Program
		if err == nil {
			prog, err = kquery.Compile(parsed, d.schema, kquery.Env{Now: t.s.now(), Location: t.s.loc, LoginUser: c.login})
		}
		if err != nil || !prog.Match(t.s.kqRecord(d, old, nil)) {
			return nil, &apiError{status: 400, code: "GAIA_IL03", msg: msgStatusFail}
		}
	}
	// Only an assignee of the record may act on it, when it has any; API-token calls act as
	// Administrator.
	if af != nil {
		if now, _ := old.vals[af.idx].([]int32); len(now) > 0 && !slices.Contains(now, c.user) {
			return nil, &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
		}
	}
	r := t.changed(c, old, 2)
	r.vals[sf.idx] = act.To
	if af != nil {
		typ, cands := t.s.candidates(d, r, act.To, c.user)
		code, given := scalarString(p["assignee"])
		switch {
		case given && p["assignee"] != nil && code != "":
			u, ok := t.s.dir.lookup(kindUser, code)
			if !ok || t.s.users[code] == nil && code != "Administrator" {
				return nil, errInvalid(prefix+"assignee", msgNoEntity("user", code))
			}
			if len(cands) > 0 && !slices.Contains(cands, u) {
				return nil, errInvalid(prefix+"assignee", msgNotCandidate(code))
			}
			r.vals[af.idx] = []int32{u}
		case typ == "ONE" && len(cands) > 0: // the caller chooses the one
			return nil, &apiError{status: 400, code: "GAIA_SA01", msg: msgNoAssignee}
		default:
			r.vals[af.idx] = cands
		}
	}
	t.touch(d)
	d.records[i] = r
	return r, nil
}

// setStatus is PUT record/status.json: runs an action on one record.
func (t *txn) setStatus(c *caller, p params) (any, *apiError) {
	d, e := t.s.appParam(c, p, "app", permEdit)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	r, e := t.runAction(c, d, p, "")
	if e != nil {
		return nil, e
	}
	return map[string]any{"revision": strconv.FormatInt(r.rev, 10)}, nil
}

// setStatuses is PUT records/status.json: runs actions on up to 100 records.
func (t *txn) setStatuses(c *caller, p params) (any, *apiError) {
	d, e := t.s.appParam(c, p, "app", permEdit)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	items, e := batchRecords(p, msgMaxUpdate)
	if e != nil {
		return nil, e
	}
	if len(items) == 0 { // no recording of kintone's answer: kept as it was
		return nil, errInvalid("records", msgRequired)
	}
	out := []any{}
	for i, it := range items {
		m, ok := it.(map[string]any)
		prefix := fmt.Sprintf("records[%d].", i)
		if !ok {
			return nil, errInvalid(prefix[:len(prefix)-1], msgBadValue)
		}
		r, e := t.runAction(c, d, m, prefix)
		if e != nil {
			return nil, e
		}
		out = append(out, map[string]any{"id": strconv.FormatInt(r.id, 10), "revision": strconv.FormatInt(r.rev, 10)})
	}
	return map[string]any{"records": out}, nil
}

// setAssignees is PUT record/assignees.json.
func (t *txn) setAssignees(c *caller, p params) (any, *apiError) {
	d, e := t.s.appParam(c, p, "app", permEdit)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	i, e := d.processTarget(p, "")
	if e != nil {
		return nil, e
	}
	codes, ok := p.strs("assignees")
	if !ok {
		return nil, errInvalid("assignees", msgRequired)
	}
	if len(codes) > 100 {
		return nil, errInvalid("assignees", msgMaxAssignees)
	}
	var users []int32
	for k, code := range codes {
		u, ok := t.s.dir.lookup(kindUser, code)
		if !ok || t.s.users[code] == nil && code != "Administrator" {
			return nil, errInvalid(fmt.Sprintf("assignees[%d]", k), msgNoEntity("user", code))
		}
		if !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	_, af := d.processFields()
	r := t.changed(c, d.records[i], 1)
	if af != nil {
		r.vals[af.idx] = users
	}
	t.touch(d)
	d.records[i] = r
	return map[string]any{"revision": strconv.FormatInt(r.rev, 10)}, nil
}

// statusSettingsJSON renders app/status.json.
func statusSettingsJSON(pm *ProcessManagement, rev int64) map[string]any {
	out := map[string]any{"enable": false, "states": nil, "actions": nil, "revision": strconv.FormatInt(rev, 10)}
	if pm == nil {
		return out
	}
	out["enable"] = pm.Enable
	states := map[string]any{}
	for _, n := range stateNames(pm) {
		st := pm.States[n]
		idx := string(st.Index)
		if idx == "" {
			idx = "0"
		}
		asg := map[string]any{"type": "ONE", "entities": []any{}}
		if st.Assignee != nil {
			ents := []any{}
			for _, pe := range st.Assignee.Entities {
				ents = append(ents, map[string]any{"entity": map[string]any{"type": pe.Entity.Type, "code": pe.Entity.Code},
					"includeSubs": pe.IncludeSubs})
			}
			typ := st.Assignee.Type
			if typ == "" {
				typ = "ONE"
			}
			asg = map[string]any{"type": typ, "entities": ents}
		}
		states[n] = map[string]any{"name": n, "index": idx, "assignee": asg}
	}
	actions := []any{}
	for _, a := range pm.Actions {
		typ := a.Type
		if typ == "" {
			typ = "PRIMARY"
		}
		actions = append(actions, map[string]any{"name": a.Name, "from": a.From, "to": a.To, "filterCond": a.FilterCond, "type": typ})
	}
	out["states"], out["actions"] = states, actions
	return out
}
