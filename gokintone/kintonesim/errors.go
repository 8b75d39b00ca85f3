package kintonesim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// text is a message in English and Japanese. Chinese wording comes from chineseWording where
// a source records it; other messages are answered in English to a Chinese caller
// (BEHAVIOUR.md, Languages).
type text struct{ en, ja string }

// in words t in lang ("en", "ja" or "zh", see langOf).
func (t text) in(lang string) string {
	switch lang {
	case "ja":
		if t.ja != "" {
			return t.ja
		}
	case "zh":
		if zh, ok := chineseWording[t.en]; ok {
			return zh
		}
	}
	return t.en
}

// fill puts args into the %s and %[n]s of t's wordings; a wording may leave arguments out.
func (t text) fill(args ...string) text {
	return text{fillArgs(t.en, args), fillArgs(t.ja, args)}
}

func fillArgs(format string, args []string) string {
	var b strings.Builder
	next := 0
	for {
		i := strings.IndexByte(format, '%')
		if i < 0 || i == len(format)-1 {
			b.WriteString(format)
			return b.String()
		}
		b.WriteString(format[:i])
		rest := format[i+1:]
		n := next
		if num, after, ok := strings.Cut(rest, "]"); ok && strings.HasPrefix(num, "[") {
			if k, err := strconv.Atoi(num[1:]); err == nil {
				n, rest = k-1, after
			}
		}
		if !strings.HasPrefix(rest, "s") {
			b.WriteByte('%')
			format = format[i+1:]
			continue
		}
		if n >= 0 && n < len(args) {
			b.WriteString(args[n])
		}
		next = n + 1
		format = rest[1:]
	}
}

// chineseWording is kintone's recorded Chinese wording, by the English message.
var chineseWording = map[string]string{
	"Missing or invalid input.": "输入有误。",
	"Required.":                 "此为必填项。",
}

// apiError is a kintone error response: {"code","id","message"[,"errors"]}.
type apiError struct {
	status int
	code   string
	msg    text
	// errors holds per-parameter messages, rendered as {"key":{"messages":[...]}}; keys are
	// kept in insertion order of first use but rendered sorted, as JSON objects are unordered.
	errors map[string][]text
	// bulk, when set, is sent as the body instead of the error object (bulkRequest failures).
	bulk map[string]any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s %s", e.status, e.code, e.msg.en) }

// add appends a per-parameter message.
func (e *apiError) add(key string, t text) *apiError {
	if e.errors == nil {
		e.errors = map[string][]text{}
	}
	e.errors[key] = append(e.errors[key], t)
	return e
}

// The messages of the error codes the simulator emits. Message texts follow what kintone
// answers; where kintone's exact wording is not known the text says the same in plain words.
var (
	msgInvalidInput = text{"Missing or invalid input.", "入力内容が正しくありません。"}
	msgPleaseLogin  = text{"Please login.", "ログインしてください。"}
	msgPasswordAuth = text{
		"Password authentication failed. The value in http header of X-Cybozu-Authorization is not valid.",
		"パスワード認証に失敗しました。X-Cybozu-Authorizationヘッダーの値が正しくありません。"}
	msgNoPrivilege = text{"No privilege to proceed.", "権限がありません。"}
	msgTokenBad    = text{
		"The specified API token does not match the API token generated via an app.",
		"指定したAPIトークンが、アプリで生成されたAPIトークンと一致しません。"}
	msgTokenDup = text{
		"You cannot specify a duplicate API token for the same app.",
		"同じアプリのAPIトークンを重複して指定することはできません。"}
	msgTokenDenied = text{
		"Using this API token, you cannot run the specified API.",
		"このAPIトークンでは、指定したAPIを実行できません。"}
	msgTooManyTokens = text{
		"You can specify up to 9 API tokens in one request.",
		"1回のリクエストで指定できるAPIトークンは9個までです。"}
	msgGuestApp = text{
		"The app is in a guest space: send the request to /k/guest/{guest space ID}/v1/.",
		"ゲストスペース内のアプリです。/k/guest/{ゲストスペースID}/v1/ にリクエストを送信してください。"}
	msgConcurrency = text{
		"The number of concurrent API requests exceeds the limit.",
		"同時に実行できるAPIリクエストの上限を超えています。"}
	msgRequired      = text{"Required field.", "必須です。"}
	msgMinOne        = text{"must be greater than or equal to 1", "最小でも1以上です。"}
	msgEnum          = text{"must be one of the enum value", "Enum値のいずれかでなければなりません。"}
	msgRequiredValue = text{"Required.", "必須です。"}
	msgInteger       = text{"Enter an integer value.", "整数で入力してください。"}
	msgOnlyNumbers   = text{"Only numbers are allowed.", "数字でなければなりません。"}
	msgBoolean       = text{"Enter true or false.", "true または false を指定してください。"}
	msgNotFound      = text{"The specified API is not found.", "指定したAPIが見つかりません。"}
	msgBadJSON       = text{"Failed to parse JSON.", "JSONの解析に失敗しました。"}
	msgRevision      = text{
		"The revision is not the latest. Someone may update a record after you opened it.",
		"指定したrevisionは最新ではありません。ほかのユーザーがレコードを更新した可能性があります。"}
	msgTooManyCursors = text{
		"The number of cursors has reached the limit. Delete unnecessary cursors or try again later.",
		"作成できるカーソルの上限に達しているため、カーソルを作成できません。不要なカーソルを削除するか、しばらく経ってから再実行してください。"}
	msgCursorGone = text{
		"The specified cursor does not exist or has expired.",
		"指定したカーソルは存在しないか、既に有効期限が切れています。"}
)

func errInvalid(key string, t text) *apiError {
	return (&apiError{status: 400, code: "CB_VA01", msg: msgInvalidInput}).add(key, t)
}

func errAppNotFound(id string) *apiError {
	return &apiError{status: 404, code: "GAIA_AP01", msg: text{
		fmt.Sprintf("The app (ID: %s) not found. The app may have been deleted.", id),
		fmt.Sprintf("指定したアプリ（id: %s）が見つかりません。削除されている可能性があります。", id)}}
}

func errRecordNotFound(id string) *apiError {
	return &apiError{status: 404, code: "GAIA_RE01", msg: text{
		fmt.Sprintf("The specified record (ID: %s) is not found.", id),
		fmt.Sprintf("指定したレコード（id: %s）が見つかりません。", id)}}
}

// legacy520Default lists the codes that kintone answered with HTTP 520 before its 2024
// status-code update and that Options.Legacy520 maps back.
var legacy520Default = []string{"GAIA_IA02", "GAIA_DA03", "GAIA_IL23", "GAIA_LO04", "GAIA_RE09"}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// errorID returns a random 20-character error id like kintone's.
func errorID() string {
	b := make([]byte, 20)
	for i := range b {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b)
}

// body renders e's JSON object in lang.
func (e *apiError) body(lang string) map[string]any {
	body := map[string]any{"code": e.code, "id": errorID(), "message": e.msg.in(lang)}
	if len(e.errors) > 0 {
		keys := make([]string, 0, len(e.errors))
		for k := range e.errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		errs := make(map[string]any, len(keys))
		for _, k := range keys {
			msgs := make([]string, len(e.errors[k]))
			for i, t := range e.errors[k] {
				msgs[i] = t.in(lang)
			}
			errs[k] = map[string]any{"messages": msgs}
		}
		body["errors"] = errs
	}
	return body
}
