package bridge

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/connstr"
	"github.com/kintone-oss/cdata-kintone/gokintone/engine"
	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/oauth"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// The stored procedures that call kintone's APIs: files, process management and space
// threads, with the reference product's names, parameters and result columns (every value
// is text, as there). Each runs its requests through the connection's client, so the
// connection's authentication, guest space, retries and limits apply.

// Size limits of the file procedures. Files travel in memory.
const (
	// maxFileSize is kintone's limit on one attachment (1 GB).
	maxFileSize = 1 << 30
	// maxFileDataSize caps a download returned in the FileData column (in base64, a third
	// larger); DownloadLocation takes files up to maxFileSize.
	maxFileDataSize = 64 << 20
)

// textColumn is a result column of text.
func textColumn(name string) engine.Column {
	return engine.Column{Name: name, DeclType: schema.TypeVarchar, TypeCode: schema.CodeString}
}

// guestSpaceParam is the reference's GuestSpaceId parameter. The connection's guest space
// applies to every request, so the parameter may only repeat it.
var guestSpaceParam = procParam{Name: "GuestSpaceId",
	Description: "The guest space of the call; it must be the connection's GuestSpaceId (set it in the connection string)."}

var kintoneProcedures = []*procedure{
	{
		Name: "UploadFile",
		Description: "Uploads a file to kintone's temporary storage and returns its file key, which INSERT or UPDATE of an " +
			"attachment column (or AddThreadComment) attaches; with AttachToApp=true it also adds a record holding the file to AppId.",
		Params: []procParam{
			{Name: "FullPath", Description: "The path of the file to upload; give it or FileData."},
			{Name: "FileData", Bytes: true, Description: "The content to upload, in base64 (or a bytes parameter); give it or FullPath."},
			{Name: "FileName", Description: "The name the file gets in kintone; required with FileData, default the name in FullPath."},
			guestSpaceParam,
			{Name: "AttachToApp", Description: "true: add a record to AppId whose attachment field holds the file (the app must have " +
				"exactly one attachment field outside tables); default false."},
			{Name: "UploadedFileKey", Description: "With AttachToApp=true and no file: the key of a file uploaded before, to attach."},
			{Name: "AppId", Description: "The app AttachToApp adds the record to."},
		},
		Outputs: []engine.Column{textColumn("FileKey"), textColumn("Success"), textColumn("Id"), textColumn("Revision")},
		run:     procUploadFile,
	},
	{
		Name: "DownloadFile",
		Description: "Downloads an attachment by its file key (the fileKey of an attachment column's value) into " +
			"DownloadLocation, or returns it in base64 as FileData.",
		Params: []procParam{
			{Name: "FileKey", Required: true, Description: "The file key of the attachment (not an upload key)."},
			{Name: "DownloadLocation", Description: "The path of the file to write (replaced if it exists; its folder must exist). " +
				"Without it the content is returned as FileData (files up to 64 MiB)."},
			guestSpaceParam,
		},
		Outputs: []engine.Column{textColumn("Success"), textColumn("FileData"), textColumn("ContentType")},
		run:     procDownloadFile,
	},
	{
		Name: "UpdateStatus",
		Description: "Runs a process-management action on one record, or on several in one all-or-nothing request " +
			"(up to 100); returns each record's id and new revision.",
		Params: []procParam{
			{Name: "AppId", Required: true, Description: "The app of the records."},
			{Name: "RecordId", Required: true, Description: "The record id, or several separated by commas."},
			{Name: "Action", Required: true, Description: "The action's name, or one per record separated by commas (one name applies to every record)."},
			{Name: "Assignee", Description: "The next assignee's login name, or one per record separated by commas."},
			{Name: "Revision", Description: "The revision each record must still have (-1: not checked), or one per record separated by commas."},
			guestSpaceParam,
		},
		Outputs: []engine.Column{textColumn("Success"), textColumn("Id"), textColumn("Revision")},
		run:     procUpdateStatus,
	},
	{
		Name:        "UpdateAssignees",
		Description: "Replaces the assignees of a record's current status; returns the record's new revision.",
		Params: []procParam{
			{Name: "AppId", Required: true, Description: "The app of the record."},
			{Name: "RecordId", Required: true, Description: "The record id."},
			{Name: "Assignees", Description: "The assignees' login names separated by commas, or a JSON array of them (at most 100); " +
				"empty or not given: none."},
			{Name: "Revision", Description: "The revision the record must still have; -1 or not given: not checked."},
			guestSpaceParam,
		},
		Outputs: []engine.Column{textColumn("Success"), textColumn("Id"), textColumn("Revision")},
		run:     procUpdateAssignees,
	},
	{
		Name:        "AddThreadComment",
		Description: "Posts a comment in a space's thread (password or OAuth authentication); returns the comment's id.",
		Params: []procParam{
			{Name: "SpaceId", Required: true, Description: "The space."},
			{Name: "ThreadId", Required: true, Description: "The thread (a space's default thread is in the space's defaultThread)."},
			{Name: "Text", Description: "The comment (at most 65535 characters); give it, Files or both."},
			{Name: "Mentions", Description: "Users to notify: login names separated by commas, or a JSON array of " +
				`{"code": …, "type": "USER"|"GROUP"|"ORGANIZATION"} (at most 10).`},
			{Name: "Files", Description: "File keys of UploadFile to attach, separated by commas (at most 5)."},
			guestSpaceParam,
		},
		Outputs: []engine.Column{textColumn("Success"), textColumn("Id")},
		run:     procAddThreadComment,
	},
	{
		Name:        "UpdateThread",
		Description: "Changes the name or the body (HTML) of a space's thread (its administrators and creator may).",
		Params: []procParam{
			{Name: "ThreadId", Required: true, Description: "The thread."},
			{Name: "Name", Description: "The new name (1 to 128 characters; the thread of a single-thread space has none)."},
			{Name: "Body", Description: "The new body, in HTML (at most 65535 characters)."},
			guestSpaceParam,
		},
		Outputs: []engine.Column{textColumn("Success")},
		run:     procUpdateThread,
	},
	{
		Name:        "CreateApp",
		Description: "Creates an app in the preview environment (deploy it with DeployApps); returns its id and revision.",
		Params: []procParam{
			{Name: "Name", Required: true, Description: "The app's name (at most 64 characters)."},
			{Name: "Space", Description: "The space to create the app in (with ThreadId)."},
			{Name: "ThreadId", Description: "The space's thread the app belongs to; required with Space."},
			{Name: "IsGuestSpace", Description: "true when Space is a guest space: the connection's GuestSpaceId must name it."},
		},
		Outputs: []engine.Column{textColumn("AppId"), textColumn("Revision")},
		run:     procCreateApp,
	},
	{
		Name:        "DeployApps",
		Description: "Deploys the preview settings of apps to the live environment, or reverts them (Revert=true).",
		Params: []procParam{
			{Name: "AppId", Required: true, Description: "The apps, separated by commas (at most 300)."},
			{Name: "Revision", Description: "The revision each app's preview must still have, one per app separated by commas; " +
				"-1 or empty: not checked."},
			{Name: "Revert", Description: "true: discard the preview settings instead of deploying them."},
			guestSpaceParam,
		},
		Outputs: []engine.Column{textColumn("Success")},
		run:     procDeployApps,
	},
	{
		Name:        "AppsDeployStatus",
		Description: "The status of the last deploy of each app: PROCESSING, SUCCESS, FAIL or CANCEL.",
		Params: []procParam{
			{Name: "AppId", Required: true, Description: "The apps, separated by commas (at most 300)."},
			guestSpaceParam,
		},
		Outputs: []engine.Column{textColumn("AppId"), textColumn("Status")},
		run:     procAppsDeployStatus,
	},
}

// checkGuestSpace refuses a GuestSpaceId parameter other than the connection's.
func checkGuestSpace(c *conn, proc string, in map[string]string) error {
	v, given := in["GuestSpaceId"]
	if !given || strings.TrimSpace(v) == "" {
		return nil
	}
	own := c.cfg.Settings().GuestSpaceID
	if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id == own {
		return nil
	}
	if own == 0 {
		return kerr.New(kerr.KindInvalidArgument, "%s: GuestSpaceId %s differs from the connection's, which has none: "+
			"connect with GuestSpaceId=%s to work in that guest space", proc, strconv.Quote(v), strings.TrimSpace(v))
	}
	return kerr.New(kerr.KindInvalidArgument, "%s: GuestSpaceId %s differs from the connection's (%d): a connection works in "+
		"one guest space; open another connection for another", proc, strconv.Quote(v), own)
}

// idParam reads a required positive id.
func idParam(proc, name, v string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id < 1 {
		return 0, kerr.New(kerr.KindInvalidArgument, "%s: %s must be a positive whole number, not %s", proc, name, strconv.Quote(v))
	}
	return id, nil
}

// revisionParam reads an optional revision: "" and -1 mean not checked (0).
func revisionParam(proc, v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "-1" {
		return 0, nil
	}
	return idParam(proc, "Revision", v)
}

// boolParam reads an optional true/false (default false).
func boolParam(proc, name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, kerr.New(kerr.KindInvalidArgument, "%s: %s must be true or false, not %s", proc, name, strconv.Quote(v))
}

// splitList splits a comma-separated list, trimming blanks; "" is an empty list.
func splitList(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// ---- files ----

func procUploadFile(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "UploadFile"
	if err := checkGuestSpace(c, proc, in); err != nil {
		return nil, err
	}
	attach, err := boolParam(proc, "AttachToApp", in["AttachToApp"])
	if err != nil {
		return nil, err
	}
	var app int64
	if attach {
		if in["AppId"] == "" {
			return nil, kerr.New(kerr.KindInvalidArgument, "UploadFile with AttachToApp=true needs AppId: the app to add the record to")
		}
		if app, err = idParam(proc, "AppId", in["AppId"]); err != nil {
			return nil, err
		}
	}
	key := in["UploadedFileKey"]
	_, hasPath := in["FullPath"]
	_, hasData := in["FileData"]
	switch {
	case hasPath && hasData:
		return nil, kerr.New(kerr.KindInvalidArgument, "UploadFile takes FullPath or FileData, not both")
	case hasPath || hasData:
		if key != "" {
			return nil, kerr.New(kerr.KindInvalidArgument, "UploadFile takes a file (FullPath or FileData) or UploadedFileKey, not both")
		}
		name, data, err := fileToUpload(c.files, in)
		if err != nil {
			return nil, err
		}
		if key, err = c.client.UploadFile(ctx, name, "", data); err != nil {
			return nil, err
		}
	case key == "":
		return nil, kerr.New(kerr.KindInvalidArgument, "UploadFile needs the file: FullPath (a path) or FileData (base64) with FileName")
	case !attach:
		return nil, kerr.New(kerr.KindInvalidArgument, "UploadFile: UploadedFileKey is for AttachToApp=true (the file is uploaded already)")
	}
	if !attach {
		return [][]any{{key, "true", nil, nil}}, nil
	}
	id, rev, err := attachToNewRecord(ctx, c, app, key)
	if err != nil {
		return nil, err
	}
	return [][]any{{key, "true", id, rev}}, nil
}

// fileToUpload reads the file UploadFile sends: from FullPath (where files allows), or
// FileData in base64.
func fileToUpload(files connstr.LocalFiles, in map[string]string) (name string, data []byte, err error) {
	if raw, ok := in["FileData"]; ok {
		name = strings.TrimSpace(in["FileName"])
		if name == "" {
			return "", nil, kerr.New(kerr.KindInvalidArgument, "UploadFile with FileData needs FileName: the name the file gets in kintone")
		}
		compact := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, raw)
		if data, err = base64.StdEncoding.DecodeString(compact); err != nil {
			if data, err = base64.RawStdEncoding.DecodeString(compact); err != nil {
				// The position, never the content: file data stays out of errors.
				return "", nil, kerr.New(kerr.KindInvalidArgument, "UploadFile: FileData is not base64 (%v); pass bytes as "+
					"they are with a bytes parameter, or encode them with base64", err)
			}
		}
		if len(data) > maxFileSize {
			return "", nil, kerr.New(kerr.KindLimit, "UploadFile: the file is larger than kintone's limit of 1 GB")
		}
		return name, data, nil
	}
	path, err := localFile(files, "UploadFile", "FullPath", in["FullPath"])
	if err != nil {
		return "", nil, err
	}
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		return "", nil, kerr.New(kerr.KindInvalidArgument, "UploadFile: FullPath %s is a folder, not a file", strconv.Quote(path))
	}
	if err == nil && st.Size() > maxFileSize {
		return "", nil, kerr.New(kerr.KindLimit, "UploadFile: %s is larger than kintone's limit of 1 GB", strconv.Quote(path))
	}
	if err == nil {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return "", nil, kerr.Wrap(err, kerr.KindIO, "UploadFile: cannot read FullPath: %v", err)
	}
	name = strings.TrimSpace(in["FileName"])
	if name == "" {
		name = filepath.Base(path)
	}
	return name, data, nil
}

// attachToNewRecord adds a record to app whose only attachment field holds the uploaded file
// key, and returns the record's id and revision.
func attachToNewRecord(ctx context.Context, c *conn, app int64, key string) (id, revision string, err error) {
	ff, err := c.client.FormFields(ctx, app, "")
	if err != nil {
		return "", "", err
	}
	var fileFields []string
	for code, p := range ff.Properties {
		if p.Type == "FILE" {
			fileFields = append(fileFields, code)
		}
	}
	if len(fileFields) != 1 {
		what := "no attachment field"
		if len(fileFields) > 1 {
			what = strconv.Itoa(len(fileFields)) + " attachment fields (" + strings.Join(fileFields, ", ") + ")"
		}
		return "", "", kerr.New(kerr.KindInvalidArgument, "UploadFile: app %d has %s outside tables, so AttachToApp cannot choose one; "+
			"upload without AttachToApp and write the returned FileKey into the attachment column with INSERT or UPDATE", app, what)
	}
	var reply struct {
		ID       string `json:"id"`
		Revision string `json:"revision"`
	}
	record := map[string]any{fileFields[0]: map[string]any{"value": []any{map[string]any{"fileKey": key}}}}
	err = c.client.Do(ctx, kclient.Request{Method: "POST", Endpoint: "record", App: app,
		Body: map[string]any{"app": app, "record": record}}, &reply)
	return reply.ID, reply.Revision, err
}

func procDownloadFile(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	if err := checkGuestSpace(c, "DownloadFile", in); err != nil {
		return nil, err
	}
	target := strings.TrimSpace(in["DownloadLocation"])
	limit := int64(maxFileDataSize)
	if target != "" {
		var err error
		if target, err = localFile(c.files, "DownloadFile", "DownloadLocation", target); err != nil {
			return nil, err
		}
		if st, err := os.Stat(target); err == nil && st.IsDir() {
			return nil, kerr.New(kerr.KindInvalidArgument, "DownloadFile: DownloadLocation %s is a folder; give the path of the file to write",
				strconv.Quote(target))
		}
		limit = maxFileSize
	}
	f, err := c.client.DownloadFile(ctx, strings.TrimSpace(in["FileKey"]), limit)
	if err != nil {
		if e := kerr.As(err); e != nil && e.Kind == kerr.KindLimit && target == "" {
			return nil, e.WithMessage(e.Message+"; give DownloadLocation to write it to a file instead", err)
		}
		return nil, err
	}
	if target == "" {
		return [][]any{{"true", base64.StdEncoding.EncodeToString(f.Data), f.ContentType}}, nil
	}
	if err := writeFileAtomically(target, f.Data); err != nil {
		return nil, kerr.Wrap(err, kerr.KindIO, "DownloadFile: cannot write DownloadLocation: %v", err)
	}
	return [][]any{{"true", nil, f.ContentType}}, nil
}

// localFile returns path, the local file parameter param of proc, with ~ expanded, after
// checking it against the connection's LocalFiles: refused with NONE, and with a folder
// unless the path, symbolic links resolved, lies inside it.
func localFile(files connstr.LocalFiles, proc, param, path string) (string, error) {
	if files.None {
		return "", kerr.New(kerr.KindInvalidArgument, "%s: %s is refused: this connection has LocalFiles=NONE, so SQL reaches no "+
			"local file (FileData passes the content instead)", proc, param)
	}
	path = oauth.ExpandPath(path)
	if files.Folder == "" {
		return path, nil
	}
	folder, err := filepath.EvalSymlinks(oauth.ExpandPath(files.Folder))
	if err != nil {
		return "", kerr.Wrap(err, kerr.KindInvalidConfig, "%s: the LocalFiles folder %s cannot be used: %v", proc, strconv.Quote(files.Folder), err)
	}
	resolved, err := resolvePath(path)
	if err != nil {
		return "", kerr.Wrap(err, kerr.KindIO, "%s: cannot resolve %s %s: %v", proc, param, strconv.Quote(path), err)
	}
	if rel, err := filepath.Rel(folder, resolved); err != nil || !filepath.IsLocal(rel) {
		return "", kerr.New(kerr.KindInvalidArgument, "%s: %s %s is outside the folder LocalFiles allows (%s)",
			proc, param, strconv.Quote(path), strconv.Quote(files.Folder))
	}
	return path, nil
}

// resolvePath is the absolute path with every symbolic link resolved; for a file that does
// not exist yet, that of its folder joined with its name.
func resolvePath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// writeFileAtomically writes data to a temporary file next to path and renames it over path,
// so that path never holds a partial download.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// ---- process management ----

func procUpdateStatus(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "UpdateStatus"
	if err := checkGuestSpace(c, proc, in); err != nil {
		return nil, err
	}
	app, err := idParam(proc, "AppId", in["AppId"])
	if err != nil {
		return nil, err
	}
	ids := splitList(in["RecordId"])
	if len(ids) > kclient.MaxStatusUpdates {
		return nil, kerr.New(kerr.KindInvalidArgument, "UpdateStatus: %d records given; kintone changes at most %d in one request",
			len(ids), kclient.MaxStatusUpdates)
	}
	// One record: the values are taken whole (an action's name may hold a comma).
	perRecord := func(name string) ([]string, error) {
		if len(ids) == 1 {
			return []string{in[name]}, nil
		}
		vals := splitList(in[name])
		switch len(vals) {
		case 0:
			return make([]string, len(ids)), nil
		case 1:
			out := make([]string, len(ids))
			for i := range out {
				out[i] = vals[0]
			}
			return out, nil
		case len(ids):
			return vals, nil
		}
		return nil, kerr.New(kerr.KindInvalidArgument, "UpdateStatus: %d values of %s for %d records; give one, or one per record "+
			"in the order of RecordId", len(vals), name, len(ids))
	}
	actions, err := perRecord("Action")
	if err != nil {
		return nil, err
	}
	assignees, err := perRecord("Assignee")
	if err != nil {
		return nil, err
	}
	revisions, err := perRecord("Revision")
	if err != nil {
		return nil, err
	}
	updates := make([]kclient.StatusUpdate, len(ids))
	for i, idText := range ids {
		u := &updates[i]
		if u.ID, err = idParam(proc, "RecordId", idText); err != nil {
			return nil, err
		}
		if u.Revision, err = revisionParam(proc, revisions[i]); err != nil {
			return nil, err
		}
		if u.Action = strings.TrimSpace(actions[i]); u.Action == "" {
			return nil, kerr.New(kerr.KindInvalidArgument, "UpdateStatus: no Action for record %d", u.ID)
		}
		u.Assignee = strings.TrimSpace(assignees[i])
	}
	var revs []kclient.RecordRevision
	if len(updates) == 1 {
		rev, err := c.client.UpdateStatus(ctx, app, updates[0])
		if err != nil {
			return nil, err
		}
		revs = []kclient.RecordRevision{{ID: updates[0].ID, Revision: rev}}
	} else if revs, err = c.client.UpdateStatuses(ctx, app, updates); err != nil {
		return nil, err
	}
	rows := make([][]any, len(revs))
	for i, r := range revs {
		rows[i] = []any{"true", strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.Revision, 10)}
	}
	return rows, nil
}

func procUpdateAssignees(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "UpdateAssignees"
	if err := checkGuestSpace(c, proc, in); err != nil {
		return nil, err
	}
	app, err := idParam(proc, "AppId", in["AppId"])
	if err != nil {
		return nil, err
	}
	id, err := idParam(proc, "RecordId", in["RecordId"])
	if err != nil {
		return nil, err
	}
	rev, err := revisionParam(proc, in["Revision"])
	if err != nil {
		return nil, err
	}
	var assignees []string
	if v := strings.TrimSpace(in["Assignees"]); strings.HasPrefix(v, "[") {
		if err := json.Unmarshal([]byte(v), &assignees); err != nil {
			return nil, kerr.New(kerr.KindInvalidArgument, "UpdateAssignees: Assignees is not a JSON array of login names: %v", err)
		}
	} else {
		assignees = splitList(v)
	}
	newRev, err := c.client.UpdateAssignees(ctx, app, id, assignees, rev)
	if err != nil {
		return nil, err
	}
	return [][]any{{"true", strconv.FormatInt(id, 10), strconv.FormatInt(newRev, 10)}}, nil
}

// ---- space threads ----

func procAddThreadComment(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "AddThreadComment"
	if err := checkGuestSpace(c, proc, in); err != nil {
		return nil, err
	}
	tc := kclient.ThreadComment{Text: in["Text"]}
	var err error
	if tc.Space, err = idParam(proc, "SpaceId", in["SpaceId"]); err != nil {
		return nil, err
	}
	if tc.Thread, err = idParam(proc, "ThreadId", in["ThreadId"]); err != nil {
		return nil, err
	}
	if v := strings.TrimSpace(in["Mentions"]); strings.HasPrefix(v, "[") {
		if err := json.Unmarshal([]byte(v), &tc.Mentions); err != nil {
			return nil, kerr.New(kerr.KindInvalidArgument, `AddThreadComment: Mentions is not a JSON array of {"code", "type"} objects: %v`, err)
		}
	} else {
		for _, code := range splitList(v) {
			tc.Mentions = append(tc.Mentions, kclient.Mention{Code: code, Type: "USER"})
		}
	}
	for _, key := range splitList(in["Files"]) {
		tc.Files = append(tc.Files, kclient.ThreadFile{FileKey: key})
	}
	if tc.Text == "" && len(tc.Files) == 0 {
		return nil, kerr.New(kerr.KindInvalidArgument, "AddThreadComment needs Text, Files or both")
	}
	id, err := c.client.AddThreadComment(ctx, tc)
	if err != nil {
		return nil, err
	}
	return [][]any{{"true", strconv.FormatInt(id, 10)}}, nil
}

func procUpdateThread(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "UpdateThread"
	if err := checkGuestSpace(c, proc, in); err != nil {
		return nil, err
	}
	id, err := idParam(proc, "ThreadId", in["ThreadId"])
	if err != nil {
		return nil, err
	}
	u := kclient.ThreadUpdate{ID: id}
	if v, ok := in["Name"]; ok {
		u.Name = &v
	}
	if v, ok := in["Body"]; ok {
		u.Body = &v
	}
	if u.Name == nil && u.Body == nil {
		return nil, kerr.New(kerr.KindInvalidArgument, "UpdateThread needs Name, Body or both")
	}
	if err := c.client.UpdateThread(ctx, u); err != nil {
		return nil, err
	}
	return [][]any{{"true"}}, nil
}

// ---- apps ----

func procCreateApp(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "CreateApp"
	body := map[string]any{"name": in["Name"]}
	guest, err := boolParam(proc, "IsGuestSpace", in["IsGuestSpace"])
	if err != nil {
		return nil, err
	}
	if guest && c.cfg.Settings().GuestSpaceID == 0 {
		return nil, kerr.New(kerr.KindInvalidArgument, "%s: IsGuestSpace=true needs a connection with GuestSpaceId", proc)
	}
	if strings.TrimSpace(in["Space"]) != "" {
		space, err := idParam(proc, "Space", in["Space"])
		if err != nil {
			return nil, err
		}
		thread, err := idParam(proc, "ThreadId", in["ThreadId"])
		if err != nil {
			return nil, err
		}
		body["space"], body["thread"] = space, thread
	}
	var reply struct {
		App      string `json:"app"`
		Revision string `json:"revision"`
	}
	if err := c.client.Do(ctx, kclient.Request{Method: "POST", Endpoint: "preview/app", Body: body}, &reply); err != nil {
		return nil, err
	}
	return [][]any{{reply.App, reply.Revision}}, nil
}

// appIDsParam reads a required list of app ids separated by commas.
func appIDsParam(proc, v string) ([]int64, error) {
	var ids []int64
	for _, part := range splitList(v) {
		id, err := idParam(proc, "AppId", part)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, kerr.New(kerr.KindInvalidArgument, "%s: AppId names no app", proc)
	}
	return ids, nil
}

func procDeployApps(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "DeployApps"
	if err := checkGuestSpace(c, proc, in); err != nil {
		return nil, err
	}
	ids, err := appIDsParam(proc, in["AppId"])
	if err != nil {
		return nil, err
	}
	revisions := splitList(in["Revision"])
	if len(revisions) > 0 && len(revisions) != len(ids) {
		return nil, kerr.New(kerr.KindInvalidArgument, "%s: %d revisions for %d apps: give one per app, or none", proc, len(revisions), len(ids))
	}
	revert, err := boolParam(proc, "Revert", in["Revert"])
	if err != nil {
		return nil, err
	}
	apps := make([]map[string]any, len(ids))
	for i, id := range ids {
		apps[i] = map[string]any{"app": id}
		if len(revisions) > 0 {
			rev, err := revisionParam(proc, revisions[i])
			if err != nil {
				return nil, err
			}
			if rev > 0 {
				apps[i]["revision"] = rev
			}
		}
	}
	err = c.client.Do(ctx, kclient.Request{Method: "POST", Endpoint: "preview/app/deploy",
		Body: map[string]any{"apps": apps, "revert": revert}}, nil)
	if err != nil {
		return nil, err
	}
	return [][]any{{"true"}}, nil
}

func procAppsDeployStatus(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	const proc = "AppsDeployStatus"
	if err := checkGuestSpace(c, proc, in); err != nil {
		return nil, err
	}
	ids, err := appIDsParam(proc, in["AppId"])
	if err != nil {
		return nil, err
	}
	var reply struct {
		Apps []struct {
			App    string `json:"app"`
			Status string `json:"status"`
		} `json:"apps"`
	}
	err = c.client.Do(ctx, kclient.Request{Method: "GET", Endpoint: "preview/app/deploy", Params: map[string]any{"apps": ids}}, &reply)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, len(reply.Apps))
	for i, a := range reply.Apps {
		rows[i] = []any{a.App, a.Status}
	}
	return rows, nil
}
