// Package sample generates the simulator's sample domain: a deterministic kintone domain with
// users, organizations, groups, spaces and four apps (customers, deals, orders and a guest-space
// app) filled with generated records. The demo, the JavaScript conformance suite and most tests
// run against it; FIXTURE.md describes its content.
package sample

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// Options size the sample dataset. Zero values take the defaults.
type Options struct {
	CustomerRecords int    // default 300
	DealRecords     int    // default 2000
	OrderRecords    int    // default 12000
	Seed            uint64 // default 20260101; the same seed gives the same data
	// StreamOrders leaves the orders out of the fixture's Records: its RecordSource generates
	// them while the simulator stores them, the same records, so that a million orders cost
	// their stored form only (bridge.SimStart uses it; the JSON form of such a fixture has no
	// orders).
	StreamOrders bool
}

// The sample dataset's credentials (see FIXTURE.md).
const (
	Password     = "kintone-sim" // every sample user's password
	Admin        = "admin"
	CustomersApp = 1
	DealsApp     = 2
	OrdersApp    = 3
	GuestApp     = 4
	GuestSpace   = 2
)

// today is the fixed "today" the sample data is generated around.
var today = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var jst = time.FixedZone("JST", 9*3600)

// Fixture builds the deterministic sample domain: 顧客リスト (CUSTOMERS, app 1),
// Deals (DEALS, app 2), 受注明細 Orders (ORDERS, app 3) and Guest Tasks (app 4, guest space 2).
func Fixture(opts Options) *kintonesim.Fixture {
	if opts.CustomerRecords <= 0 {
		opts.CustomerRecords = 300
	}
	if opts.DealRecords <= 0 {
		opts.DealRecords = 2000
	}
	if opts.OrderRecords <= 0 {
		opts.OrderRecords = 12000
	}
	if opts.Seed == 0 {
		opts.Seed = 20260101
	}
	src := rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)
	g := &generator{src: src, rnd: rand.New(src)}
	f := &kintonesim.Fixture{
		Lang:     "ja",
		TimeZone: "Asia/Tokyo",
		Users:    domainUsers(),
		Organizations: []kintonesim.Entity{
			{Code: "hq", Name: "本社"}, {Code: "sales", Name: "営業部"},
			{Code: "sales-east", Name: "東日本営業課"}, {Code: "sales-west", Name: "西日本営業課"},
			{Code: "dev", Name: "開発部"}, {Code: "support", Name: "サポート部"},
			{Code: "intl", Name: "International Sales"},
		},
		Groups: []kintonesim.Entity{
			{Code: "managers", Name: "マネージャー"}, {Code: "project-a", Name: "プロジェクトA"},
			{Code: "sysadmins", Name: "システム管理者"}, {Code: "oncall", Name: "On-call"},
		},
		Titles: []kintonesim.Entity{{Code: "manager", Name: "課長"}, {Code: "staff", Name: "担当"}},
		Spaces: []kintonesim.Space{
			{ID: 1, Name: "営業部", Members: []kintonesim.SpaceMember{
				{Entity: kintonesim.EntityRef{Type: "USER", Code: "admin"}, IsAdmin: true},
				{Entity: kintonesim.EntityRef{Type: "ORGANIZATION", Code: "sales"}, IncludeSubs: true},
			}},
			{ID: GuestSpace, Name: "パートナー連携", IsGuest: true, Members: []kintonesim.SpaceMember{
				{Entity: kintonesim.EntityRef{Type: "USER", Code: "admin"}, IsAdmin: true},
			}},
		},
	}
	customers := g.customers(opts.CustomerRecords)
	deals := g.deals(opts.DealRecords, customers)
	orders := ordersApp()
	if gen := g.orders(opts.OrderRecords, customers); opts.StreamOrders {
		orders.RecordSource = gen
	} else {
		orders.Records = slices.Collect(gen)
	}
	f.Apps = []kintonesim.App{customers, deals, orders, g.guestTasks()}
	return f
}

func domainUsers() []kintonesim.User {
	u := func(code, name, org, title string, groups ...string) kintonesim.User {
		return kintonesim.User{Code: code, Name: name, Password: Password, PrimaryOrganization: org,
			Organizations: []kintonesim.Membership{{Code: org, Title: title}}, Groups: groups}
	}
	users := []kintonesim.User{
		u("admin", "管理者", "hq", "manager", "managers", "sysadmins"),
		u("sato", "佐藤 太郎", "sales-east", "manager", "managers", "project-a"),
		u("suzuki", "鈴木 花子", "sales-west", "manager", "managers"),
		u("takahashi", "高橋 健", "sales-east", "staff", "project-a"),
		u("tanaka", "田中 美咲", "sales", "staff"),
		u("watanabe", "渡辺 翔", "dev", "staff", "sysadmins", "oncall"),
		u("ito", "伊藤 由美", "support", "staff", "oncall"),
		u("yamamoto", "山本 大輔", "sales-west", "staff", "project-a"),
		u("nakamura", "中村 さくら", "support", "staff"),
		u("john.smith", "John Smith", "intl", "manager"),
		u("emily.chen", "Emily Chen", "intl", "staff", "project-a"),
		u("maria.garcia", "Maria Garcia", "dev", "staff", "oncall"),
	}
	return users
}

// Tokens lists the sample's API tokens: app id → {full, view-only}.
var Tokens = map[int64][2]string{
	CustomersApp: {"sim-customers-full", "sim-customers-view"},
	DealsApp:     {"sim-deals-full", "sim-deals-view"},
	OrdersApp:    {"sim-orders-full", "sim-orders-view"},
	GuestApp:     {"sim-guest-full", "sim-guest-view"},
}

// value is one field value of a generated record.
func value(v any) kintonesim.ValueInput { return kintonesim.ValueInput{Value: v} }

func appTokens(app int64) []kintonesim.APIToken {
	t := Tokens[app]
	return []kintonesim.APIToken{
		{Token: t[0], View: true, Add: true, Edit: true, Delete: true},
		{Token: t[1], View: true},
	}
}

type generator struct {
	src *rand.PCG // rnd's state
	rnd *rand.Rand
}

func (g *generator) pick(xs []string) string { return xs[g.rnd.IntN(len(xs))] }

// empty reports true for about one value in pct hundred.
func (g *generator) empty(pct int) bool { return g.rnd.IntN(100) < pct }

var salesUsers = []string{"sato", "suzuki", "takahashi", "tanaka", "yamamoto", "john.smith", "emily.chen"}
var allUsers = []string{"admin", "sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "john.smith", "emily.chen", "maria.garcia"}

func users(codes ...string) []map[string]any {
	out := make([]map[string]any, len(codes))
	for i, c := range codes {
		out[i] = map[string]any{"code": c}
	}
	return out
}

// entity names a user, organization, group or field (FIELD_ENTITY) in a setting.
func entity(typ, code string) map[string]any { return map[string]any{"type": typ, "code": code} }

// target is a recipient of a per-record notification or a reminder.
func target(typ, code string, includeSubs bool) map[string]any {
	return map[string]any{"entity": entity(typ, code), "includeSubs": includeSubs}
}

// stamp sets the system fields of a generated record.
func stamp(rec kintonesim.RecordInput, sys [4]string, creator string, created time.Time, modifier string, updated time.Time) {
	// Nothing in the sample happens after its fixed "today".
	if !created.Before(today) {
		created = today.Add(-time.Hour)
	}
	if updated.After(today) || updated.Before(created) {
		updated = created
	}
	rec[sys[0]] = value(map[string]any{"code": creator})
	rec[sys[1]] = value(created.UTC().Format("2006-01-02T15:04:05Z"))
	rec[sys[2]] = value(map[string]any{"code": modifier})
	rec[sys[3]] = value(updated.UTC().Format("2006-01-02T15:04:05Z"))
}

var sysJA = [4]string{"作成者", "作成日時", "更新者", "更新日時"}
var sysEN = [4]string{"Created_by", "Created_datetime", "Updated_by", "Updated_datetime"}

var (
	nameHead = []string{"東京", "大阪", "日本", "富士", "青葉", "桜", "北斗", "三和", "中央", "東邦", "新光", "旭", "大和",
		"平和", "光", "瑞穂", "若葉", "丸の内", "港", "関西", "九州", "北海", "信濃", "相模", "飛鳥", "朝日", "白鷺", "双葉"}
	nameMid  = []string{"", "", "", "アーク", "ネクスト", "ブルー", "グリーン", "ユニ", "サン", "ルミナ", "テック", "グローバル", "メディカル", "フード"}
	nameTail = []string{"精密", "電機", "物産", "商事", "化学", "製作所", "工業", "建設", "システム", "ソリューションズ", "テクノロジー",
		"運輸", "食品", "薬品", "不動産", "電子", "印刷", "繊維", "技研", "ホールディングス", "サービス", "開発", "産業", "商会"}
	industries  = []string{"製造業", "情報通信業", "小売業", "卸売業", "金融業", "建設業", "運輸業", "医療・福祉", "不動産業", "サービス業"}
	customerTag = []string{"重要顧客", "新規", "休眠", "パートナー", "要フォロー"}
	romaji      = []string{"tokyo", "osaka", "nippon", "fuji", "aoba", "sakura", "hokuto", "sanwa", "chuo", "toho", "shinko", "asahi", "yamato",
		"heiwa", "hikari", "mizuho", "wakaba", "marunouchi", "minato", "kansai", "kyushu", "hokkai", "shinano", "sagami", "asuka", "asahi-net", "shirasagi", "futaba"}
	notesJA = []string{"年次契約の更新時期を確認すること。", "担当者変更あり。\n新担当：購買部 山田様", "展示会で名刺交換。",
		"支払条件：月末締め翌月末払い", "紹介元：既存顧客", "要注意：与信枠の見直し中\n（2025年度）"}
)

func (g *generator) customers(n int) kintonesim.App {
	app := kintonesim.App{
		ID: CustomersApp, Code: "CUSTOMERS", Name: "顧客リスト", SpaceID: 1, ThreadID: 1,
		Description: "取引先企業の一覧（サンプルデータ）", Creator: "admin", CreatedAt: "2023-12-01T00:00:00Z",
		Fields: map[string]kintonesim.FieldProperty{
			"会社名":    {Type: "SINGLE_LINE_TEXT", Label: "会社名", Required: true, Unique: true, MaxLength: "64"},
			"業種":     {Type: "DROP_DOWN", Label: "業種", Options: kintonesim.OptionList(industries...)},
			"従業員数":   {Type: "NUMBER", Label: "従業員数", MinValue: "0", Unit: "名", UnitPosition: "AFTER", Digit: true},
			"設立日":    {Type: "DATE", Label: "設立日"},
			"担当者":    {Type: "USER_SELECT", Label: "担当者"},
			"Webサイト": {Type: "LINK", Label: "Webサイト", Protocol: "WEB"},
			"タグ":     {Type: "CHECK_BOX", Label: "タグ", Options: kintonesim.OptionList(customerTag...)},
			"備考":     {Type: "MULTI_LINE_TEXT", Label: "備考"},
			"電話番号":   {Type: "SINGLE_LINE_TEXT", Label: "電話番号"},
		},
		APITokens: appTokens(CustomersApp),
		// Follow-up of each customer: process management, so that statuses, assignees and their
		// APIs have sample data. A new customer is nobody's yet (anyone may start on it); once
		// started, its 担当者 hold it, and only they may finish it or send it back.
		ProcessManagement: &kintonesim.ProcessManagement{
			Enable: true,
			States: map[string]kintonesim.ProcessState{
				"未対応": {Index: "0"},
				"対応中": {Index: "1", Assignee: &kintonesim.ProcessAssignee{Type: "ANY", Entities: []kintonesim.ProcessEntity{
					{Entity: kintonesim.EntityRef{Type: "FIELD_ENTITY", Code: "担当者"}}}}},
				"完了": {Index: "2"},
			},
			Actions: []kintonesim.ProcessAction{
				{Name: "対応開始", From: "未対応", To: "対応中"},
				{Name: "完了にする", From: "対応中", To: "完了"},
				{Name: "差し戻す", From: "対応中", To: "未対応", Type: "SECONDARY"},
			},
		},
		Rights: customerRights(),
	}
	seen := map[string]bool{}
	app.Records = make([]kintonesim.RecordInput, 0, n)
	for i := 0; i < n; i++ {
		var name, site string
		for try := 0; ; try++ {
			h := g.rnd.IntN(len(nameHead))
			core := nameHead[h] + g.pick(nameMid) + g.pick(nameTail)
			if try > 20 {
				core += strconv.Itoa(i)
			}
			switch g.rnd.IntN(5) {
			case 0:
				name = core + "株式会社"
			case 1:
				name = "有限会社" + core
			case 2:
				name = "合同会社" + core
			default:
				name = "株式会社" + core
			}
			site = "https://www." + romaji[h] + "-" + strconv.Itoa(i+1) + ".example.co.jp/"
			if !seen[name] {
				break
			}
		}
		if i == 7 {
			name = `Smith & Sons "Global" Ltd.`
			site = "https://smith-sons.example.com/"
		}
		seen[name] = true
		rec := make(kintonesim.RecordInput, 16)
		rec["会社名"] = value(name)
		if !g.empty(4) {
			rec["業種"] = value(g.pick(industries))
		} else {
			rec["業種"] = value(nil)
		}
		if !g.empty(5) {
			rec["従業員数"] = value(strconv.Itoa(5 + g.rnd.IntN(20000)))
		} else {
			rec["従業員数"] = value("")
		}
		if !g.empty(5) {
			rec["設立日"] = value(time.Date(1950+g.rnd.IntN(72), time.Month(1+g.rnd.IntN(12)), 1+g.rnd.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02"))
		} else {
			rec["設立日"] = value(nil)
		}
		if !g.empty(5) {
			rec["担当者"] = value(users(g.pick(salesUsers)))
		} else {
			rec["担当者"] = value([]any{})
		}
		if !g.empty(5) {
			rec["Webサイト"] = value(site)
		} else {
			rec["Webサイト"] = value("")
		}
		var tags []string
		for _, t := range customerTag {
			if g.rnd.IntN(5) == 0 {
				tags = append(tags, t)
			}
		}
		rec["タグ"] = value(tags)
		if g.rnd.IntN(3) == 0 {
			rec["備考"] = value(g.pick(notesJA))
		} else {
			rec["備考"] = value("")
		}
		if !g.empty(10) {
			rec["電話番号"] = value(fmt.Sprintf("0%d-%04d-%04d", 3+g.rnd.IntN(7), g.rnd.IntN(10000), g.rnd.IntN(10000)))
		} else {
			rec["電話番号"] = value("")
		}
		created := time.Date(2024, 1, 4, 9, 0, 0, 0, jst).Add(time.Duration(i) * 55 * time.Hour)
		updated := created
		modifier := "admin"
		if g.rnd.IntN(3) == 0 {
			updated = created.Add(time.Duration(1+g.rnd.IntN(2000)) * time.Hour)
			modifier = g.pick(allUsers)
		}
		stamp(rec, sysJA, "admin", created, modifier, updated)
		app.Records = append(app.Records, rec)
	}
	return app
}

var (
	stages      = []string{"Lead", "Qualified", "Proposal", "Won", "Lost"}
	channels    = []string{"Email", "Phone", "Web", "Event", "Partner"}
	priorities  = []string{"High", "Medium", "Low"}
	dealProduct = []string{"Cloud Migration", "ERP Rollout", "Support Renewal", "Data Platform", "Security Audit", "Training Package",
		"Mobile kintonesim.App", "Analytics Dashboard", "Network Upgrade", "Consulting"}
	dealNotes = []string{"<p>Budget approved.</p>", "<p>Waiting for <b>legal</b> review.</p>", "<div>Met at the trade show &amp; followed up.</div>",
		"<p>Decision maker: CFO</p><ul><li>price</li><li>timeline</li></ul>", "<p>予算確定済み。</p>"}
)

func (g *generator) deals(n int, customers kintonesim.App) kintonesim.App {
	app := kintonesim.App{
		ID: DealsApp, Code: "DEALS", Name: "Deals", SpaceID: 1, ThreadID: 1, Lang: "en",
		Description: "Sales pipeline (sample data)", Creator: "john.smith", CreatedAt: "2024-06-01T00:00:00Z",
		Fields: map[string]kintonesim.FieldProperty{
			"deal_name": {Type: "SINGLE_LINE_TEXT", Label: "Deal name", Required: true},
			"customer": {Type: "SINGLE_LINE_TEXT", Label: "Customer", Lookup: &kintonesim.Lookup{
				RelatedApp: kintonesim.RelatedApp{App: kintonesim.NumString(strconv.Itoa(CustomersApp)), Code: "CUSTOMERS"}, RelatedKeyField: "会社名",
				FieldMappings:      []kintonesim.FieldMapping{{Field: "industry", RelatedField: "業種"}},
				LookupPickerFields: []string{"会社名", "業種"}}},
			"industry":         {Type: "SINGLE_LINE_TEXT", Label: "Industry"},
			"stage":            {Type: "DROP_DOWN", Label: "Stage", Options: kintonesim.OptionList(stages...), Required: true, DefaultValue: "Lead"},
			"amount":           {Type: "NUMBER", Label: "Amount", MinValue: "0", Unit: "¥", Digit: true},
			"probability":      {Type: "NUMBER", Label: "Probability", MinValue: "0", MaxValue: "100", Unit: "%", UnitPosition: "AFTER"},
			"close_date":       {Type: "DATE", Label: "Close date"},
			"owner":            {Type: "USER_SELECT", Label: "Owner"},
			"last_contact":     {Type: "DATETIME", Label: "Last contact"},
			"expected_revenue": {Type: "CALC", Label: "Expected revenue", Expression: "amount * probability / 100", Format: "NUMBER", Unit: "¥"},
			"notes":            {Type: "RICH_TEXT", Label: "Notes"},
			"channels":         {Type: "MULTI_SELECT", Label: "Channels", Options: kintonesim.OptionList(channels...)},
			"priority":         {Type: "RADIO_BUTTON", Label: "Priority", Options: kintonesim.OptionList(priorities...), DefaultValue: "Medium"},
			"call_time":        {Type: "TIME", Label: "Call time"},
		},
		APITokens: appTokens(DealsApp),
		Notifications: &kintonesim.Notifications{
			General: []map[string]any{{"entity": entity("FIELD_ENTITY", "owner"), "recordEdited": true, "commentAdded": true}},
			PerRecord: []map[string]any{{"filterCond": `stage in ("Won")`, "title": "Deal won",
				"targets": []any{target("GROUP", "managers", false), target("FIELD_ENTITY", "owner", false)}}},
			Reminder: []map[string]any{
				{"timing": map[string]any{"code": "close_date", "daysLater": "-3", "time": "10:00"},
					"filterCond": `stage not in ("Won", "Lost")`, "title": "Closing soon",
					"targets": []any{target("FIELD_ENTITY", "owner", false)}},
				{"timing": map[string]any{"code": "last_contact", "daysLater": "30", "hoursLater": "0"},
					"title": "No contact for 30 days", "targets": []any{target("USER", "john.smith", false)}},
			},
		},
		Reports: map[string]map[string]any{
			"Pipeline by stage": {"chartType": "BAR", "groups": []any{map[string]any{"code": "stage"}},
				"aggregations": []any{map[string]any{"type": "SUM", "code": "amount"}},
				"sorts":        []any{map[string]any{"by": "TOTAL", "order": "DESC"}}},
		},
		Rights: dealRights(),
	}
	app.Records = make([]kintonesim.RecordInput, 0, n)
	for i := 0; i < n; i++ {
		c := customers.Records[g.rnd.IntN(len(customers.Records))]
		rec := make(kintonesim.RecordInput, 20)
		rec["deal_name"] = value(fmt.Sprintf("%s #%d", g.pick(dealProduct), i+1))
		if !g.empty(3) {
			rec["customer"] = value(c["会社名"].Value)
			ind, _ := c["業種"].Value.(string)
			rec["industry"] = value(ind)
		} else {
			rec["customer"], rec["industry"] = value(""), value("")
		}
		stage := stages[g.rnd.IntN(len(stages))]
		rec["stage"] = value(stage)
		prob := map[string]int{"Lead": 10, "Qualified": 30, "Proposal": 60, "Won": 100, "Lost": 0}[stage]
		if !g.empty(4) {
			rec["amount"] = value(strconv.Itoa((1 + g.rnd.IntN(500)) * 10000))
		} else {
			rec["amount"] = value("")
		}
		if !g.empty(3) {
			rec["probability"] = value(strconv.Itoa(prob))
		} else {
			rec["probability"] = value("")
		}
		if !g.empty(5) {
			rec["close_date"] = value(today.AddDate(0, 0, g.rnd.IntN(540)-365).Format("2006-01-02"))
		} else {
			rec["close_date"] = value(nil)
		}
		if !g.empty(4) {
			rec["owner"] = value(users(g.pick(salesUsers)))
		} else {
			rec["owner"] = value([]any{})
		}
		if !g.empty(6) {
			rec["last_contact"] = value(today.Add(-time.Duration(g.rnd.IntN(400*24*60)) * time.Minute).Format("2006-01-02T15:04:05Z"))
		} else {
			rec["last_contact"] = value("")
		}
		if g.rnd.IntN(4) == 0 {
			rec["notes"] = value(g.pick(dealNotes))
		} else {
			rec["notes"] = value("")
		}
		var ch []string
		for _, x := range channels {
			if g.rnd.IntN(3) == 0 {
				ch = append(ch, x)
			}
		}
		rec["channels"] = value(ch)
		if !g.empty(5) {
			rec["priority"] = value(g.pick(priorities))
		} else {
			rec["priority"] = value(nil)
		}
		if !g.empty(30) {
			rec["call_time"] = value(fmt.Sprintf("%02d:%02d", 9+g.rnd.IntN(9), 15*g.rnd.IntN(4)))
		} else {
			rec["call_time"] = value(nil)
		}
		created := time.Date(2024, 6, 1, 10, 0, 0, 0, jst).Add(time.Duration(i) * 5 * time.Hour)
		owner := g.pick(salesUsers)
		updated := created.Add(time.Duration(g.rnd.IntN(3000)) * time.Hour)
		stamp(rec, sysEN, owner, created, owner, updated)
		app.Records = append(app.Records, rec)
	}
	return app
}

var (
	orderStatus = []string{"受付", "出荷準備中", "出荷済", "キャンセル"}
	products    = []string{"ノートPC 14インチ", "ディスプレイ 27型", "USB-C ドック", "ワイヤレスマウス", "メカニカルキーボード", "Webカメラ",
		"ヘッドセット", "LANケーブル 5m", "無線LANルーター", "外付けSSD 1TB", "プリンタートナー", "Office Chair"}
	unitPrices = []int{128000, 39800, 15800, 2980, 12800, 6980, 8800, 780, 14800, 16800, 9800, 45000}
	regions    = []string{"sales-east", "sales-west", "intl", "hq"}
	teams      = []string{"managers", "project-a", "oncall"}
	orderMemos = []string{"午前着指定", "請求書は別送。\n担当：経理部", "分納可", "梱包注意（精密機器）", "領収書宛名：上様",
		"Deliver to the back entrance.\nCall before arrival."}
)

// ordersApp is the Orders app without its records.
func ordersApp() kintonesim.App {
	return kintonesim.App{
		ID: OrdersApp, Code: "ORDERS", Name: "受注明細 Orders", Creator: "admin", CreatedAt: "2023-12-01T00:00:00Z",
		Description: "受注と明細（サンプルデータ）",
		Fields: map[string]kintonesim.FieldProperty{
			"order_no":    {Type: "SINGLE_LINE_TEXT", Label: "受注番号", Required: true, Unique: true},
			"customer":    {Type: "SINGLE_LINE_TEXT", Label: "顧客名"},
			"order_date":  {Type: "DATE", Label: "受注日", DefaultNowValue: true},
			"shipped_at":  {Type: "DATETIME", Label: "出荷日時"},
			"status":      {Type: "DROP_DOWN", Label: "ステータス", Options: kintonesim.OptionList(orderStatus...), DefaultValue: "受付"},
			"region":      {Type: "ORGANIZATION_SELECT", Label: "担当地域"},
			"team":        {Type: "GROUP_SELECT", Label: "担当チーム"},
			"attachments": {Type: "FILE", Label: "添付ファイル"},
			"memo":        {Type: "MULTI_LINE_TEXT", Label: "メモ"},
			"total":       {Type: "CALC", Label: "合計", Expression: "SUM(subtotal)", Format: "NUMBER", Unit: "円", UnitPosition: "AFTER"},
			"items": {Type: "SUBTABLE", Label: "明細", Fields: map[string]kintonesim.FieldProperty{
				"product":    {Type: "SINGLE_LINE_TEXT", Label: "商品"},
				"quantity":   {Type: "NUMBER", Label: "数量"},
				"unit_price": {Type: "NUMBER", Label: "単価"},
				"subtotal":   {Type: "CALC", Label: "小計", Expression: "quantity * unit_price", Format: "NUMBER"},
			}},
		},
		APITokens: appTokens(OrdersApp),
		// Who hears of orders, the graphs of sales, and an action that opens a deal from an order.
		Notifications: &kintonesim.Notifications{
			General: []map[string]any{
				{"entity": entity("GROUP", "managers"), "recordAdded": true, "commentAdded": true},
				{"entity": entity("FIELD_ENTITY", "作成者"), "recordEdited": true, "commentAdded": true, "statusChanged": true},
			},
			NotifyToCommenter: true,
			PerRecord: []map[string]any{{"filterCond": `status in ("キャンセル")`, "title": "キャンセルされた受注",
				"targets": []any{target("ORGANIZATION", "sales", true), target("FIELD_ENTITY", "作成者", false)}}},
			Reminder: []map[string]any{{"timing": map[string]any{"code": "order_date", "daysLater": "7", "time": "09:00"},
				"filterCond": `status in ("受付")`, "title": "未出荷の受注", "targets": []any{target("GROUP", "oncall", false)}}},
		},
		Reports: map[string]map[string]any{
			"月別売上": {"chartType": "COLUMN", "chartMode": "STACKED", "index": "0",
				"groups":       []any{map[string]any{"code": "order_date", "per": "MONTH"}, map[string]any{"code": "status"}},
				"aggregations": []any{map[string]any{"type": "SUM", "code": "total"}},
				"filterCond":   `status not in ("キャンセル")`,
				"sorts":        []any{map[string]any{"by": "GROUP1", "order": "ASC"}},
				"periodicReport": map[string]any{"active": true,
					"period": map[string]any{"every": "MONTH", "dayOfMonth": "1", "time": "09:00"}}},
			"ステータス別件数": {"chartType": "PIE", "index": "1", "groups": []any{map[string]any{"code": "status"}},
				"sorts": []any{map[string]any{"by": "TOTAL", "order": "DESC"}}},
		},
		Actions: map[string]map[string]any{
			"商談を作成": {"destApp": map[string]any{"app": strconv.Itoa(DealsApp)}, "filterCond": `status in ("受付")`,
				"mappings": []any{
					map[string]any{"srcType": "FIELD", "srcField": "customer", "destField": "customer"},
					map[string]any{"srcType": "FIELD", "srcField": "total", "destField": "amount"},
					map[string]any{"srcType": "RECORD_URL", "destField": "notes"},
				},
				"entities": []any{entity("ORGANIZATION", "sales"), entity("USER", "admin")}},
		},
	}
}

// orders generates n orders of the given customers, from the generator's state now: each
// iteration yields the same records, and g itself draws nothing for them (the orders are the
// last random part of the sample).
func (g *generator) orders(n int, customers kintonesim.App) iter.Seq[kintonesim.RecordInput] {
	state := *g.src
	return func(yield func(kintonesim.RecordInput) bool) {
		src := state
		g := &generator{src: &src, rnd: rand.New(&src)}
		g.orderRecords(n, customers, yield)
	}
}

// orderRecords yields n generated orders until yield returns false.
func (g *generator) orderRecords(n int, customers kintonesim.App, yield func(kintonesim.RecordInput) bool) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	span := int(today.Sub(start).Hours() / 24)
	for i := 0; i < n; i++ {
		day := start.AddDate(0, 0, i*span/n)
		rec := make(kintonesim.RecordInput, 16)
		rec["order_no"] = value(fmt.Sprintf("ORD-%06d", i+1))
		if !g.empty(2) {
			rec["customer"] = value(customers.Records[g.rnd.IntN(len(customers.Records))]["会社名"].Value)
		} else {
			rec["customer"] = value("")
		}
		if !g.empty(1) {
			rec["order_date"] = value(day.Format("2006-01-02"))
		} else {
			rec["order_date"] = value(nil)
		}
		status := orderStatus[g.rnd.IntN(len(orderStatus))]
		if i < n-300 && g.rnd.IntN(4) != 0 {
			status = "出荷済"
		}
		if g.empty(2) {
			rec["status"] = value(nil)
		} else {
			rec["status"] = value(status)
		}
		if status == "出荷済" {
			rec["shipped_at"] = value(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, jst).
				Add(time.Duration(24+g.rnd.IntN(96))*time.Hour + time.Duration(g.rnd.IntN(60))*time.Minute).UTC().Format("2006-01-02T15:04:05Z"))
		} else {
			rec["shipped_at"] = value("")
		}
		if !g.empty(5) {
			rec["region"] = value([]map[string]any{{"code": g.pick(regions)}})
		} else {
			rec["region"] = value([]any{})
		}
		switch g.rnd.IntN(10) {
		case 0:
			rec["team"] = value([]map[string]any{{"code": "managers"}, {"code": "oncall"}})
		case 1, 2:
			rec["team"] = value([]any{})
		default:
			rec["team"] = value([]map[string]any{{"code": g.pick(teams)}})
		}
		if i%97 == 5 {
			rec["attachments"] = value([]map[string]any{{
				"fileKey": fmt.Sprintf("20260101000000%06dORD", i+1), "name": fmt.Sprintf("見積書_ORD-%06d.pdf", i+1),
				"contentType": "application/pdf", "size": strconv.Itoa(20000 + g.rnd.IntN(300000))}})
		} else {
			rec["attachments"] = value([]any{})
		}
		switch {
		case i == 41:
			rec["memo"] = value(`He said "ship it" \ C:\orders\2024\ — 引用符 "テスト" と \\ バックスラッシュ`)
		case g.rnd.IntN(5) == 0:
			rec["memo"] = value(g.pick(orderMemos))
		case g.rnd.IntN(50) == 0:
			rec["memo"] = value("   ")
		default:
			rec["memo"] = value("")
		}
		nItems := 1 + g.rnd.IntN(4)
		if i%53 == 0 {
			nItems = 0
		}
		rows := make([]any, nItems)
		for k := range rows {
			p := g.rnd.IntN(len(products))
			qty := strconv.Itoa(1 + g.rnd.IntN(20))
			if g.empty(2) {
				qty = ""
			}
			rows[k] = map[string]any{"value": map[string]any{
				"product":    value(products[p]),
				"quantity":   value(qty),
				"unit_price": value(strconv.Itoa(unitPrices[p])),
			}}
		}
		rec["items"] = value(rows)
		created := time.Date(day.Year(), day.Month(), day.Day(), 9+g.rnd.IntN(9), g.rnd.IntN(60), 0, 0, jst)
		creator := g.pick(allUsers)
		stamp(rec, sysJA, creator, created, creator, created.Add(time.Duration(g.rnd.IntN(72))*time.Hour))
		if !yield(rec) {
			return
		}
	}
}

func (g *generator) guestTasks() kintonesim.App {
	app := kintonesim.App{
		ID: GuestApp, Code: "GUEST_TASKS", Name: "Guest Tasks", GuestSpaceID: GuestSpace, ThreadID: 2, Lang: "en",
		Description: "Tasks shared with a partner in guest space 2", Creator: "admin", CreatedAt: "2025-09-01T00:00:00Z",
		Fields: map[string]kintonesim.FieldProperty{
			"title":    {Type: "SINGLE_LINE_TEXT", Label: "Title", Required: true},
			"due":      {Type: "DATE", Label: "Due"},
			"assignee": {Type: "USER_SELECT", Label: "Assignee"},
			"done":     {Type: "CHECK_BOX", Label: "Done", Options: kintonesim.OptionList("done")},
		},
		APITokens: appTokens(GuestApp),
	}
	titles := []string{"Kick-off meeting", "Share requirements", "Review mock-ups", "Sign NDA", "Deliver first draft"}
	for i, t := range titles {
		rec := kintonesim.RecordInput{"title": {Value: t}, "due": {Value: today.AddDate(0, 0, 7*i).Format("2006-01-02")},
			"assignee": {Value: users(allUsers[1+i%5])}}
		if i < 2 {
			rec["done"] = value([]string{"done"})
		} else {
			rec["done"] = value([]string{})
		}
		if i == 4 {
			rec["due"] = value(nil)
		}
		stamp(rec, sysEN, "admin", time.Date(2025, 9, 1+i, 10, 0, 0, 0, jst), "admin", time.Date(2025, 9, 1+i, 10, 0, 0, 0, jst))
		app.Records = append(app.Records, rec)
	}
	return app
}

// Entities of the sample's access rights.
var (
	creatorEntity = kintonesim.EntityRef{Type: "CREATOR"}
	everyone      = kintonesim.EntityRef{Type: "GROUP", Code: "everyone"}
	managers      = kintonesim.EntityRef{Type: "GROUP", Code: "managers"}
	salesOrg      = kintonesim.EntityRef{Type: "ORGANIZATION", Code: "sales"}
)

// customerRights are 顧客リスト's access rights: the sales organization works on customers,
// managers may do everything with records, everyone else only reads; phone numbers are for
// sales and managers, notes are written by each customer's 担当者; important customers' records
// (tag 重要顧客) are changed by managers and the 担当者 only.
func customerRights() *kintonesim.Rights {
	owner := kintonesim.EntityRef{Type: "FIELD_ENTITY", Code: "担当者"}
	return &kintonesim.Rights{
		App: []kintonesim.AppRight{
			{Entity: creatorEntity, AppEditable: true, RecordViewable: true, RecordAddable: true, RecordEditable: true,
				RecordDeletable: true, RecordImportable: true, RecordExportable: true},
			{Entity: managers, RecordViewable: true, RecordAddable: true, RecordEditable: true, RecordDeletable: true,
				RecordImportable: true, RecordExportable: true},
			{Entity: salesOrg, IncludeSubs: true, RecordViewable: true, RecordAddable: true, RecordEditable: true,
				RecordExportable: true},
			{Entity: kintonesim.EntityRef{Type: "USER", Code: "ito"}, RecordViewable: true, RecordAddable: true},
			{Entity: everyone, RecordViewable: true},
		},
		Fields: []kintonesim.FieldRight{
			{Code: "電話番号", Entities: []kintonesim.FieldRightEntity{
				{Accessibility: "WRITE", Entity: salesOrg, IncludeSubs: true},
				{Accessibility: "WRITE", Entity: managers},
				{Accessibility: "NONE", Entity: everyone},
			}},
			{Code: "備考", Entities: []kintonesim.FieldRightEntity{
				{Accessibility: "WRITE", Entity: owner},
				{Accessibility: "READ", Entity: everyone},
			}},
		},
		Records: []kintonesim.RecordRight{
			{FilterCond: `タグ in ("重要顧客")`, Entities: []kintonesim.RecordRightEntity{
				{Entity: managers, Viewable: true, Editable: true, Deletable: true},
				{Entity: owner, Viewable: true, Editable: true},
				{Entity: everyone, Viewable: true},
			}},
		},
	}
}

// dealRights are Deals' access rights: John Smith manages it (named, and as its creator), sales
// (with its sub-organizations) and International Sales work on deals, everyone else only reads;
// managers write amounts and sales read them, expected revenue is for managers; lost deals are
// for managers only, large deals (a million or more) are changed by their owner and managers.
func dealRights() *kintonesim.Rights {
	owner := kintonesim.EntityRef{Type: "FIELD_ENTITY", Code: "owner"}
	return &kintonesim.Rights{
		App: []kintonesim.AppRight{
			{Entity: kintonesim.EntityRef{Type: "USER", Code: "john.smith"}, AppEditable: true, RecordViewable: true,
				RecordAddable: true, RecordEditable: true, RecordDeletable: true, RecordImportable: true, RecordExportable: true},
			{Entity: kintonesim.EntityRef{Type: "ORGANIZATION", Code: "intl"}, RecordViewable: true, RecordAddable: true,
				RecordEditable: true},
			{Entity: salesOrg, IncludeSubs: true, RecordViewable: true, RecordAddable: true, RecordEditable: true,
				RecordDeletable: true, RecordExportable: true},
			{Entity: creatorEntity, AppEditable: true, RecordViewable: true, RecordAddable: true, RecordEditable: true,
				RecordDeletable: true, RecordImportable: true, RecordExportable: true},
			{Entity: everyone, RecordViewable: true},
		},
		Fields: []kintonesim.FieldRight{
			{Code: "amount", Entities: []kintonesim.FieldRightEntity{
				{Accessibility: "WRITE", Entity: managers},
				{Accessibility: "READ", Entity: salesOrg, IncludeSubs: true},
				{Accessibility: "NONE", Entity: everyone},
			}},
			{Code: "expected_revenue", Entities: []kintonesim.FieldRightEntity{
				{Accessibility: "READ", Entity: managers},
				{Accessibility: "NONE", Entity: everyone},
			}},
		},
		Records: []kintonesim.RecordRight{
			{FilterCond: `stage in ("Lost")`, Entities: []kintonesim.RecordRightEntity{
				{Entity: managers, Viewable: true, Editable: true, Deletable: true},
				{Entity: everyone},
			}},
			{FilterCond: "amount >= 1000000", Entities: []kintonesim.RecordRightEntity{
				{Entity: owner, Viewable: true, Editable: true},
				{Entity: managers, Viewable: true, Editable: true, Deletable: true},
				{Entity: everyone, Viewable: true},
			}},
		},
	}
}
