package kintonesim

// The endpoints beyond records, apps and cursors: files (api_files.go), comments
// (api_comments.go), process management (process.go), app settings (api_apps.go), spaces
// (api_spaces.go), preview apps and deploys (api_preview.go) and the cybozu User API
// (api_users.go).

// routeExt picks the handler of the endpoints above; ok is false for the others.
func (s *Server) routeExt(q *request) (h handler, e *apiError, ok bool) {
	var (
		apps     = appAPI{s.st}
		preview  = previewAPI{s.st}
		files    = fileAPI{s.st}
		comments = commentAPI{s.st}
		spaces   = spaceAPI{s.st}
		users    = userAPI{s.st}
	)
	key := q.method + " " + q.resource
	if q.userAPI {
		switch key {
		case "GET users":
			h = users.getUsers
		case "GET groups":
			h = users.getGroups
		case "GET organizations":
			h = users.getOrganizations
		case "GET user/groups":
			h = users.getUserGroups
		case "GET user/organizations":
			h = users.getUserOrganizations
		default:
			return nil, &apiError{status: 404, code: "CB_NF01", msg: msgNotFound}, true
		}
		return userAPIOnly(h), nil, true
	}
	if q.preview {
		switch key {
		case "POST app":
			h = preview.postPreviewApp
		case "GET app/form/fields":
			h = apps.getPreviewFields
		case "POST app/form/fields":
			h = preview.postPreviewFields
		case "PUT app/form/fields":
			h = preview.putPreviewFields
		case "DELETE app/form/fields":
			h = preview.deletePreviewFields
		case "POST app/deploy":
			h = preview.postDeploy
		case "GET app/deploy":
			h = preview.getDeploy
		case "GET app/form/layout":
			h = apps.getLayout
		case "GET app/views":
			h = apps.getViews
		case "GET app/status":
			h = apps.getStatusSettings
		}
		return h, nil, h != nil
	}
	switch key {
	case "POST file":
		h = files.postFile
	case "GET file":
		h = files.getFile
	case "GET record/comments":
		h = comments.getComments
	case "POST record/comment":
		h = comments.postComment
	case "DELETE record/comment":
		h = comments.deleteComment
	case "PUT record/status":
		h = s.write((*txn).setStatus)
	case "PUT records/status":
		h = s.write((*txn).setStatuses)
	case "PUT record/assignees":
		h = s.write((*txn).setAssignees)
	case "GET app/status":
		h = apps.getStatusSettings
	case "GET app/form/layout":
		h = apps.getLayout
	case "GET app/views":
		h = apps.getViews
	case "GET space":
		h = spaces.getSpace
	case "GET space/members":
		h = spaces.getSpaceMembers
	}
	return h, nil, h != nil
}
