package kintonesim

// The endpoints beyond records, apps and cursors: files (files.go), comments (comments.go),
// process management (process.go), app settings and spaces (appsettings.go), preview apps
// and deploys (preview.go) and the cybozu User API (userapi.go).

// extState is the server state of those endpoints. It is guarded by Server.mu; maps are made
// on first write (extInit).
type extState struct {
	uploads   map[string]*upload // temporary upload fileKey → upload
	blobs     map[string]*blob   // download fileKey → content
	fileOwner map[string]int64   // download fileKey → app id, for attachments made by the API
	fileBytes int64              // content held by uploads and attachments

	comments map[commentKey]*commentThread

	previews map[int64]*previewApp // preview forms of apps
	liveRev  map[int64]int64       // app settings revision of live apps (absent: 1)
	deploys  map[int64]int         // app → pending PROCESSING answers of deploy.json GET

	// From the fixture (loadExt).
	lang                 string
	userOrder            []string // user codes in fixture order (User API ids)
	orgs, groups, titles []Entity
	spaces               []Space
}

// extInit makes the maps. The caller holds s.mu for writing.
func (s *Server) extInit() {
	x := &s.ext
	if x.uploads != nil {
		return
	}
	x.uploads = map[string]*upload{}
	x.blobs = map[string]*blob{}
	x.fileOwner = map[string]int64{}
	x.comments = map[commentKey]*commentThread{}
	x.previews = map[int64]*previewApp{}
	x.liveRev = map[int64]int64{}
	x.deploys = map[int64]int{}
}

// routeExt picks the handler of the endpoints above; ok is false for the others.
func (s *Server) routeExt(q *request) (h handler, e *apiError, ok bool) {
	key := q.method + " " + q.resource
	if q.userAPI {
		switch key {
		case "GET users":
			h = s.getUsers
		case "GET groups":
			h = s.getGroups
		case "GET organizations":
			h = s.getOrganizations
		case "GET user/groups":
			h = s.getUserGroups
		case "GET user/organizations":
			h = s.getUserOrganizations
		default:
			return nil, &apiError{status: 404, code: "CB_NF01", msg: msgNotFound}, true
		}
		return s.userAPIOnly(h), nil, true
	}
	if q.preview {
		switch key {
		case "POST app":
			h = s.postPreviewApp
		case "GET app/form/fields":
			h = s.getPreviewFields
		case "POST app/form/fields":
			h = s.postPreviewFields
		case "PUT app/form/fields":
			h = s.putPreviewFields
		case "DELETE app/form/fields":
			h = s.deletePreviewFields
		case "POST app/deploy":
			h = s.postDeploy
		case "GET app/deploy":
			h = s.getDeploy
		case "GET app/form/layout":
			h = s.getLayout
		case "GET app/views":
			h = s.getViews
		case "GET app/status":
			h = s.getStatusSettings
		}
		return h, nil, h != nil
	}
	switch key {
	case "POST file":
		h = s.postFile
	case "GET file":
		h = s.getFile
	case "GET record/comments":
		h = s.getComments
	case "POST record/comment":
		h = s.postComment
	case "DELETE record/comment":
		h = s.deleteComment
	case "PUT record/status":
		h = s.putStatus
	case "PUT records/status":
		h = s.putStatuses
	case "PUT record/assignees":
		h = s.putAssignees
	case "GET app/status":
		h = s.getStatusSettings
	case "GET app/form/layout":
		h = s.getLayout
	case "GET app/views":
		h = s.getViews
	case "GET space":
		h = s.getSpace
	case "GET space/members":
		h = s.getSpaceMembers
	}
	return h, nil, h != nil
}
