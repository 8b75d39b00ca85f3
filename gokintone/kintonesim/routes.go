package kintonesim

import (
	"fmt"
	"strconv"
	"strings"
)

// routeList is the route table: every endpoint the simulator serves, one line each, with the
// path as kintone documents it. A /k/v1/ route is served under /k/guest/{id}/v1/ too (the app's
// guest space is checked against the path's). Method "" matches every method.
func (s *Server) routeList() []route {
	var (
		records  = recordAPI{s.st}
		apps     = appAPI{s.st}
		preview  = previewAPI{s.st}
		files    = fileAPI{s.st}
		comments = commentAPI{s.st}
		spaces   = spaceAPI{s.st}
		users    = userAPI{s.st}
		oauth    = oauthAPI{s.st, s.basic != nil}
	)
	return []route{
		// Records (write.go, api_records.go)
		{"GET", "/k/v1/record.json", handler(records.getRecord)},
		{"POST", "/k/v1/record.json", writeOp((*txn).addRecord)},
		{"PUT", "/k/v1/record.json", writeOp((*txn).updateRecord)},
		{"GET", "/k/v1/records.json", handler(records.getRecords)},
		{"POST", "/k/v1/records.json", writeOp((*txn).addRecords)},
		{"PUT", "/k/v1/records.json", writeOp((*txn).updateRecords)},
		{"DELETE", "/k/v1/records.json", writeOp((*txn).deleteRecords)},
		{"POST", "/k/v1/records/cursor.json", handler(records.postCursor)},
		{"GET", "/k/v1/records/cursor.json", handler(records.getCursor)},
		{"DELETE", "/k/v1/records/cursor.json", handler(records.deleteCursor)},
		{"POST", "/k/v1/bulkRequest.json", handler(s.bulkRequest)},
		// Process management (process.go)
		{"PUT", "/k/v1/record/status.json", writeOp((*txn).setStatus)},
		{"PUT", "/k/v1/records/status.json", writeOp((*txn).setStatuses)},
		{"PUT", "/k/v1/record/assignees.json", writeOp((*txn).setAssignees)},
		// Record comments (api_comments.go)
		{"GET", "/k/v1/record/comments.json", handler(comments.getComments)},
		{"POST", "/k/v1/record/comment.json", handler(comments.postComment)},
		{"DELETE", "/k/v1/record/comment.json", handler(comments.deleteComment)},
		// Files (api_files.go)
		{"POST", "/k/v1/file.json", handler(files.postFile)},
		{"GET", "/k/v1/file.json", handler(files.getFile)},
		// Apps and their settings (api_apps.go; notifications, graphs and actions in appsettings.go; access rights in rights.go)
		{"GET", "/k/v1/apps.json", handler(apps.getApps)},
		{"GET", "/k/v1/app.json", handler(apps.getApp)},
		{"GET", "/k/v1/app/form/fields.json", handler(apps.getFields)},
		{"GET", "/k/v1/app/form/layout.json", handler(apps.getLayout)},
		{"GET", "/k/v1/app/views.json", handler(apps.getViews)},
		{"GET", "/k/v1/app/status.json", handler(apps.getStatusSettings)},
		{"GET", "/k/v1/app/settings.json", handler(apps.getGeneralSettings)},
		{"GET", "/k/v1/app/notifications/general.json", handler(apps.getGeneralNotifications)},
		{"GET", "/k/v1/app/notifications/perRecord.json", handler(apps.getPerRecordNotifications)},
		{"GET", "/k/v1/app/notifications/reminder.json", handler(apps.getReminderNotifications)},
		{"GET", "/k/v1/app/reports.json", handler(apps.getReports)},
		{"GET", "/k/v1/app/actions.json", handler(apps.getAppActions)},
		{"GET", "/k/v1/app/acl.json", handler(apps.getAppRights)},
		{"GET", "/k/v1/field/acl.json", handler(apps.getFieldRights)},
		{"GET", "/k/v1/record/acl.json", handler(apps.getRecordRights)},
		// Preview settings and deploys (api_apps.go, api_preview.go)
		{"POST", "/k/v1/preview/app.json", handler(preview.postPreviewApp)},
		{"GET", "/k/v1/preview/app/form/fields.json", handler(apps.getPreviewFields)},
		{"POST", "/k/v1/preview/app/form/fields.json", handler(preview.postPreviewFields)},
		{"PUT", "/k/v1/preview/app/form/fields.json", handler(preview.putPreviewFields)},
		{"DELETE", "/k/v1/preview/app/form/fields.json", handler(preview.deletePreviewFields)},
		{"GET", "/k/v1/preview/app/form/layout.json", handler(apps.getLayout)},
		{"GET", "/k/v1/preview/app/views.json", handler(apps.getViews)},
		{"GET", "/k/v1/preview/app/status.json", handler(apps.getStatusSettings)},
		{"GET", "/k/v1/preview/app/settings.json", handler(apps.getGeneralSettings)},
		{"GET", "/k/v1/preview/app/notifications/general.json", handler(apps.getGeneralNotifications)},
		{"GET", "/k/v1/preview/app/notifications/perRecord.json", handler(apps.getPerRecordNotifications)},
		{"GET", "/k/v1/preview/app/notifications/reminder.json", handler(apps.getReminderNotifications)},
		{"GET", "/k/v1/preview/app/reports.json", handler(apps.getReports)},
		{"GET", "/k/v1/preview/app/actions.json", handler(apps.getAppActions)},
		{"GET", "/k/v1/preview/app/acl.json", handler(apps.getAppRights)},
		{"GET", "/k/v1/preview/field/acl.json", handler(apps.getFieldRights)},
		{"GET", "/k/v1/preview/record/acl.json", handler(apps.getRecordRights)},
		{"POST", "/k/v1/preview/app/deploy.json", handler(preview.postDeploy)},
		{"GET", "/k/v1/preview/app/deploy.json", handler(preview.getDeploy)},
		// Spaces (api_spaces.go)
		{"GET", "/k/v1/space.json", handler(spaces.getSpace)},
		{"GET", "/k/v1/space/members.json", handler(spaces.getSpaceMembers)},
		{"PUT", "/k/v1/space/thread.json", handler(spaces.putThread)},
		{"POST", "/k/v1/space/thread/comment.json", handler(spaces.postThreadComment)},
		// Guest users (api_guests.go)
		{"POST", "/k/v1/guests.json", handler(spaces.postGuests)},
		{"DELETE", "/k/v1/guests.json", handler(spaces.deleteGuests)},
		{"PUT", "/k/v1/space/guests.json", handler(spaces.putSpaceGuests)},
		// The cybozu User API: password authentication only (api_users.go)
		{"GET", "/v1/users.json", handler(users.getUsers)},
		{"GET", "/v1/groups.json", handler(users.getGroups)},
		{"GET", "/v1/organizations.json", handler(users.getOrganizations)},
		{"GET", "/v1/user/groups.json", handler(users.getUserGroups)},
		{"GET", "/v1/user/organizations.json", handler(users.getUserOrganizations)},
		// OAuth 2.0: their own protocol, and their own answer to other methods (api_oauth.go)
		{"", "/oauth2/authorization", rawHandler(oauth.authorize)},
		{"", "/oauth2/token", rawHandler(oauth.token)},
	}
}

// route is one line of the route table.
type route struct {
	method  string // "" for any
	path    string
	handler endpoint
}

// endpoint is what a route runs: a handler, a writeOp or a rawHandler.
type endpoint interface {
	// serve answers q and returns the kintone error code sent, if any.
	serve(s *Server, w *statusWriter, q *request) string
}

// handler answers a kintone or User API call with a value to send as JSON, an encoded JSON
// body (rawJSON) or a file (streamBody), or with an error.
type handler func(q *request) (any, *apiError)

func (h handler) serve(s *Server, w *statusWriter, q *request) string {
	body, e := h(q)
	return s.reply(w, q, body, e)
}

// serve runs the write in a transaction of its own (bulkRequest.json runs several in one).
func (op writeOp) serve(s *Server, w *statusWriter, q *request) string {
	body, e := s.st.inTxn(&q.caller, q.p, op)
	return s.reply(w, q, body, e)
}

// rawHandler writes its own answer (OAuth's pages, redirects and token responses) and returns
// the error code it sent, for the request log.
type rawHandler func(w *statusWriter, q *request) string

func (h rawHandler) serve(_ *Server, w *statusWriter, q *request) string { return h(w, q) }

// routeTable finds routes by method and path.
type routeTable map[string]*route

func newRouteTable(list []route) routeTable {
	t := routeTable{}
	for i := range list {
		r := &list[i]
		key := r.method + " " + r.path
		if _, dup := t[key]; dup {
			panic(fmt.Sprintf("kintonesim: route %s listed twice", key))
		}
		t[key] = r
	}
	return t
}

// find returns the route of method and path (a route path: no guest segment), or nil.
func (t routeTable) find(method, path string) *route {
	if r := t[method+" "+path]; r != nil {
		return r
	}
	return t[" "+path]
}

// area is the API a path belongs to; each has its own conventions.
type area int

const (
	areaKintone area = iota // kintone's REST API: /k/v1/… and /k/guest/{id}/v1/…
	areaUser                // the cybozu User API: /v1/….json
	areaOAuth               // OAuth 2.0: /oauth2/…
)

// apiPath is a kintone or User API path, read by parseAPIPath.
type apiPath struct {
	area     area
	guest    int64  // /k/guest/{id}/v1/…
	preview  bool   // …/v1/preview/…
	resource string // between the API root (and preview/) and ".json"
	route    string // the path as the route table writes it: no guest segment
}

// parseAPIPath reads /k/v1/[preview/]{resource}.json, /k/guest/{id}/v1/[preview/]{resource}.json
// and /v1/{resource}.json.
func parseAPIPath(path string) (apiPath, bool) {
	if res, ok := strings.CutPrefix(path, "/v1/"); ok {
		res, ok = strings.CutSuffix(res, ".json")
		if !ok || res == "" {
			return apiPath{}, false
		}
		return apiPath{area: areaUser, resource: res, route: path}, true
	}
	rest, ok := strings.CutPrefix(path, "/k/")
	if !ok {
		return apiPath{}, false
	}
	var ap apiPath
	if g, ok := strings.CutPrefix(rest, "guest/"); ok {
		idText, after, ok := strings.Cut(g, "/")
		id, err := strconv.ParseInt(idText, 10, 64)
		if !ok || err != nil || id < 1 {
			return apiPath{}, false
		}
		ap.guest = id
		rest = after
	}
	rest, ok = strings.CutPrefix(rest, "v1/")
	if !ok {
		return apiPath{}, false
	}
	if p, ok := strings.CutPrefix(rest, "preview/"); ok {
		ap.preview = true
		rest = p
	}
	res, ok := strings.CutSuffix(rest, ".json")
	if !ok || res == "" {
		return apiPath{}, false
	}
	ap.resource = res
	ap.route = kintoneRoute(ap.preview, res)
	return ap, true
}

// kintoneRoute is the route path of a kintone API resource.
func kintoneRoute(preview bool, resource string) string {
	if preview {
		return "/k/v1/preview/" + resource + ".json"
	}
	return "/k/v1/" + resource + ".json"
}
