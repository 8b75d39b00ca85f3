package kintonesim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// postUpload posts one multipart file part (name "file") and returns the answer.
func postUpload(t *testing.T, s *kintonesim.Server, path, filename, ctype, content string, headers map[string]string) resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if filename != "-" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, filename))
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(content))
	} else {
		mw.WriteField("other", "x")
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	r := resp{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		dec := json.NewDecoder(strings.NewReader(r.raw))
		dec.UseNumber()
		dec.Decode(&r.body)
	}
	return r
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestFileUploadAttachDownload(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	r := postUpload(t, s, "/k/v1/file.json", "報告書.txt", "text/plain", "hello", alice)
	wantOK(t, r)
	up, _ := r.body["fileKey"].(string)
	if !uuidRE.MatchString(up) || len(r.body) != 1 {
		t.Fatalf("upload answer %s", r.raw)
	}
	// The upload key is not a download key.
	wantErr(t, call(t, s, "GET", "/k/v1/file.json?fileKey="+up, nil, alice), 404, "GAIA_BL01",
		"The specified file (id: "+up+") not found.")

	r = call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 1, "record": map[string]any{
		"title": map[string]any{"value": "with file"}, "doc": map[string]any{"value": []any{map[string]any{"fileKey": up}}}}}, alice)
	wantBody(t, r, `{"id":"4","revision":"1"}`)
	doc := recordField(t, s, "1", "4", "doc").([]any)
	if len(doc) != 1 {
		t.Fatalf("doc %v", doc)
	}
	att := doc[0].(map[string]any)
	key, _ := att["fileKey"].(string)
	if key == "" || key == up {
		t.Fatalf("download key %q (upload key %q)", key, up)
	}
	if jsonText(att) != `{"contentType":"text/plain","fileKey":"`+key+`","name":"報告書.txt","size":"5"}` {
		t.Errorf("attachment %s", jsonText(att))
	}
	r = call(t, s, "GET", "/k/v1/file.json?fileKey="+key, nil, alice)
	if r.status != 200 || r.raw != "hello" || r.header.Get("Content-Type") != "text/plain" || r.header.Get("Content-Length") != "5" {
		t.Fatalf("download: %d %q %v", r.status, r.raw, r.header)
	}
	// The same upload attached again is a new attachment.
	r = call(t, s, "PUT", "/k/v1/record.json", map[string]any{"app": 1, "id": 1, "record": map[string]any{
		"doc": map[string]any{"value": []any{map[string]any{"fileKey": up}}}}}, alice)
	wantBody(t, r, `{"revision":"2"}`)
	key2 := recordField(t, s, "1", "1", "doc").([]any)[0].(map[string]any)["fileKey"]
	if key2 == key {
		t.Errorf("second attachment reuses %v", key)
	}
	// Sending the download key back keeps the attachment.
	r = call(t, s, "PUT", "/k/v1/record.json", map[string]any{"app": 1, "id": 4, "record": map[string]any{
		"doc": map[string]any{"value": []any{map[string]any{"fileKey": key}}}}}, alice)
	wantBody(t, r, `{"revision":"2"}`)
	if got := recordField(t, s, "1", "4", "doc").([]any)[0].(map[string]any)["fileKey"]; got != key {
		t.Errorf("kept key %v, want %s", got, key)
	}
	// Unknown keys.
	wantErr(t, call(t, s, "GET", "/k/v1/file.json?fileKey=nope", nil, ja(alice)), 404, "GAIA_BL01",
		"指定したファイル（id: nope）が見つかりません。")
	wantErr(t, call(t, s, "GET", "/k/v1/file.json", nil, alice), 400, "CB_VA01", "Missing or invalid input.", "fileKey")
	r = call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 1, "record": map[string]any{
		"doc": map[string]any{"value": []any{map[string]any{"fileKey": "no-such-key"}}}}}, alice)
	wantErr(t, r, 400, "CB_VA01", "Missing or invalid input.", "record.doc.values[0].fileKey")

	// The log names the uploaded file.
	var logged *kintonesim.LoggedRequest
	for _, l := range s.Requests() {
		if l.Method == "POST" && l.Path == "/k/v1/file.json" {
			logged = &l
		}
	}
	if logged == nil || logged.Status != 200 || jsonText(logged.Params) != `{"file":{"contentType":"text/plain","name":"報告書.txt","size":5}}` {
		t.Errorf("log entry %+v", logged)
	}
}

func TestFileUploadErrorsAndLimits(t *testing.T) {
	s := newExt(t, kintonesim.Options{MaxFileSize: 4, MaxFileBytes: 7})
	wantErr(t, postUpload(t, s, "/k/v1/file.json", "a.bin", "", "12345", alice), 400, "CB_VA01", "Missing or invalid input.", "file")
	r := postUpload(t, s, "/k/v1/file.json", "a.bin", "", "1234", alice)
	wantOK(t, r)
	wantErr(t, postUpload(t, s, "/k/v1/file.json", "b.bin", "", "1234", alice), 400, "CB_VA01", "Missing or invalid input.", "file")
	wantErr(t, postUpload(t, s, "/k/v1/file.json", "-", "", "", alice), 400, "CB_VA01", "Missing or invalid input.", "file")
	wantErr(t, call(t, s, "POST", "/k/v1/file.json", map[string]any{"file": "x"}, alice), 400, "CB_VA01", "Missing or invalid input.", "file")
	wantErr(t, postUpload(t, s, "/k/v1/file.json", "a.txt", "", "x", nil), 401, "CB_AU01", "Please login.")

	// Content type from the extension when the part has none.
	s = newExt(t, kintonesim.Options{})
	up := postUpload(t, s, "/k/v1/file.json", "data.csv", "", "a,b\n", tok("t-full")).body["fileKey"]
	wantOK(t, call(t, s, "PUT", "/k/v1/record.json", map[string]any{"app": 1, "id": 2, "record": map[string]any{
		"doc": map[string]any{"value": []any{map[string]any{"fileKey": up}}}}}, tok("t-full")))
	att := recordField(t, s, "1", "2", "doc").([]any)[0].(map[string]any)
	if att["contentType"] != "text/csv; charset=utf-8" || att["size"] != "4" {
		t.Errorf("attachment %v", att)
	}
	key := att["fileKey"].(string)
	// Tokens: view-only cannot upload; downloads need a view token of the app holding the file.
	wantErr(t, postUpload(t, s, "/k/v1/file.json", "a.txt", "", "x", tok("t-view")), 403, "GAIA_NO01",
		"Using this API token, you cannot run the specified API.")
	wantErr(t, call(t, s, "GET", "/k/v1/file.json?fileKey="+key, nil, tok("p-full")), 403, "GAIA_NO01", "")
	r = call(t, s, "GET", "/k/v1/file.json?fileKey="+key, nil, tok("t-view"))
	if r.status != 200 || r.raw != "a,b\n" {
		t.Errorf("token download %d %q", r.status, r.raw)
	}
	// Files of a guest-space app are downloaded through the guest path only.
	up = postUpload(t, s, "/k/guest/9/v1/file.json", "g.txt", "text/plain", "guest", alice).body["fileKey"]
	wantOK(t, call(t, s, "POST", "/k/guest/9/v1/preview/app/form/fields.json", map[string]any{"app": 3,
		"properties": map[string]any{"att": map[string]any{"type": "FILE"}}}, alice))
	wantOK(t, call(t, s, "POST", "/k/guest/9/v1/preview/app/deploy.json", map[string]any{"apps": []any{map[string]any{"app": 3}}}, alice))
	wantBody(t, call(t, s, "POST", "/k/guest/9/v1/record.json", map[string]any{"app": 3, "record": map[string]any{
		"att": map[string]any{"value": []any{map[string]any{"fileKey": up}}}}}, alice), `{"id":"1","revision":"1"}`)
	r = call(t, s, "GET", "/k/guest/9/v1/record.json?app=3&id=1", nil, alice)
	key = val(r.body["record"].(map[string]any), "att").([]any)[0].(map[string]any)["fileKey"].(string)
	wantErr(t, call(t, s, "GET", "/k/v1/file.json?fileKey="+key, nil, alice), 400, "GAIA_IL23", "")
	r = call(t, s, "GET", "/k/guest/9/v1/file.json?fileKey="+key, nil, alice)
	if r.status != 200 || r.raw != "guest" {
		t.Errorf("guest download %d %q", r.status, r.raw)
	}
	wantErr(t, call(t, s, "POST", "/k/v1/file.json?fileKey=x", nil, alice), 400, "CB_VA01", "", "file")
}

func TestFileUploadExpiresAndFixtureFiles(t *testing.T) {
	clk := kintonesim.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := newExt(t, kintonesim.Options{Now: clk.Now, MaxFileBytes: 10})
	up := postUpload(t, s, "/k/v1/file.json", "a.txt", "text/plain", "123456", alice).body["fileKey"]
	clk.Advance(72 * time.Hour) // an upload key's lifetime
	r := call(t, s, "PUT", "/k/v1/record.json", map[string]any{"app": 1, "id": 1, "record": map[string]any{
		"doc": map[string]any{"value": []any{map[string]any{"fileKey": up}}}}}, alice)
	wantErr(t, r, 400, "CB_VA01", "", "record.doc.values[0].fileKey")
	// Expired content no longer counts against MaxFileBytes.
	wantOK(t, postUpload(t, s, "/k/v1/file.json", "b.txt", "text/plain", "123456", alice))

	// Fixture attachments have no content: their size in filler bytes is served.
	s = newServer(t, nil, kintonesim.Options{})
	recs := records(t, get(t, s, "/k/v1/records.json?app=3&fields[0]=attachments&query="+q("attachments is not empty limit 1")))
	att := val(recs[0], "attachments").([]any)[0].(map[string]any)
	size, _ := strconv.Atoi(att["size"].(string))
	r = get(t, s, "/k/v1/file.json?fileKey="+att["fileKey"].(string))
	if r.status != 200 || len(r.raw) != size || r.header.Get("Content-Type") != att["contentType"] ||
		!strings.HasPrefix(r.raw, att["name"].(string)) {
		t.Errorf("fixture download: %d, %d bytes (want %d), %v", r.status, len(r.raw), size, r.header)
	}
}
