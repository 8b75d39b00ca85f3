package kintonesim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// SampleOptions size the sample dataset. Zero values take the defaults.
type SampleOptions struct {
	CustomerRecords int    // default 300
	DealRecords     int    // default 2000
	OrderRecords    int    // default 12000
	Seed            uint64 // default 20260101; the same seed gives the same data
}

// The sample dataset's credentials (see FIXTURE.md).
const (
	SamplePassword     = "kintone-sim" // every sample user's password
	SampleAdmin        = "admin"
	SampleCustomersApp = 1
	SampleDealsApp     = 2
	SampleOrdersApp    = 3
	SampleGuestApp     = 4
	SampleGuestSpace   = 1
)

// sampleBase is the fixed "today" the sample data is generated around.
var sampleBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var jst = time.FixedZone("JST", 9*3600)

// SampleFixture builds the deterministic sample domain: 顧客リスト (CUSTOMERS, app 1),
// Deals (DEALS, app 2), 受注明細 Orders (ORDERS, app 3) and Guest Tasks (app 4, guest space 1).
func SampleFixture(opts SampleOptions) *Fixture {
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
	g := &sampleGen{rnd: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))}
	f := &Fixture{
		Lang:     "ja",
		TimeZone: "Asia/Tokyo",
		Users:    sampleUsers(),
		Organizations: []Entity{
			{"hq", "本社"}, {"sales", "営業部"}, {"sales-east", "東日本営業課"}, {"sales-west", "西日本営業課"},
			{"dev", "開発部"}, {"support", "サポート部"}, {"intl", "International Sales"},
		},
		Groups: []Entity{
			{"managers", "マネージャー"}, {"project-a", "プロジェクトA"}, {"sysadmins", "システム管理者"}, {"oncall", "On-call"},
		},
		Titles: []Entity{{"manager", "課長"}, {"staff", "担当"}},
		Spaces: []Space{
			{ID: 1, Name: "営業部", Members: []SpaceMember{
				{Entity: EntityRef{Type: "USER", Code: "admin"}, IsAdmin: true},
				{Entity: EntityRef{Type: "ORGANIZATION", Code: "sales"}, IncludeSubs: true},
			}},
			{ID: 1, Name: "パートナー連携", IsGuest: true, Members: []SpaceMember{
				{Entity: EntityRef{Type: "USER", Code: "admin"}, IsAdmin: true},
			}},
		},
	}
	customers := g.customers(opts.CustomerRecords)
	f.Apps = []App{customers, g.deals(opts.DealRecords, customers), g.orders(opts.OrderRecords, customers), g.guestTasks()}
	return f
}

func sampleUsers() []User {
	u := func(code, name, org, title string, groups ...string) User {
		return User{Code: code, Name: name, Password: SamplePassword, PrimaryOrganization: org,
			Organizations: []Membership{{Code: org, Title: title}}, Groups: groups}
	}
	users := []User{
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

// SampleTokens lists the sample's API tokens: app id → {full, view-only}.
var SampleTokens = map[int64][2]string{
	SampleCustomersApp: {"sim-customers-full", "sim-customers-view"},
	SampleDealsApp:     {"sim-deals-full", "sim-deals-view"},
	SampleOrdersApp:    {"sim-orders-full", "sim-orders-view"},
	SampleGuestApp:     {"sim-guest-full", "sim-guest-view"},
}

func sampleTokens(app int64) []APIToken {
	t := SampleTokens[app]
	return []APIToken{
		{Token: t[0], View: true, Add: true, Edit: true, Delete: true},
		{Token: t[1], View: true},
	}
}

type sampleGen struct {
	rnd *rand.Rand
}

func (g *sampleGen) pick(xs []string) string { return xs[g.rnd.IntN(len(xs))] }

// empty reports true for about one value in pct hundred.
func (g *sampleGen) empty(pct int) bool { return g.rnd.IntN(100) < pct }

var salesUsers = []string{"sato", "suzuki", "takahashi", "tanaka", "yamamoto", "john.smith", "emily.chen"}
var allUsers = []string{"admin", "sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "john.smith", "emily.chen", "maria.garcia"}

func users(codes ...string) []map[string]any {
	out := make([]map[string]any, len(codes))
	for i, c := range codes {
		out[i] = map[string]any{"code": c}
	}
	return out
}

// stamp sets the system fields of a generated record.
func stamp(rec RecordInput, sys [4]string, creator string, created time.Time, modifier string, updated time.Time) {
	// Nothing in the sample happens after its fixed "today".
	if !created.Before(sampleBase) {
		created = sampleBase.Add(-time.Hour)
	}
	if updated.After(sampleBase) || updated.Before(created) {
		updated = created
	}
	rec[sys[0]] = ValueInput{map[string]any{"code": creator}}
	rec[sys[1]] = ValueInput{created.UTC().Format("2006-01-02T15:04:05Z")}
	rec[sys[2]] = ValueInput{map[string]any{"code": modifier}}
	rec[sys[3]] = ValueInput{updated.UTC().Format("2006-01-02T15:04:05Z")}
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

func (g *sampleGen) customers(n int) App {
	app := App{
		ID: SampleCustomersApp, Code: "CUSTOMERS", Name: "顧客リスト", SpaceID: 1, ThreadID: 1,
		Description: "取引先企業の一覧（サンプルデータ）", Creator: "admin", CreatedAt: "2023-12-01T00:00:00Z",
		Fields: map[string]FieldProperty{
			"会社名":    {Type: "SINGLE_LINE_TEXT", Label: "会社名", Required: true, Unique: true, MaxLength: "64"},
			"業種":     {Type: "DROP_DOWN", Label: "業種", Options: OptionList(industries...)},
			"従業員数":   {Type: "NUMBER", Label: "従業員数", MinValue: "0", Unit: "名", UnitPosition: "AFTER", Digit: true},
			"設立日":    {Type: "DATE", Label: "設立日"},
			"担当者":    {Type: "USER_SELECT", Label: "担当者"},
			"Webサイト": {Type: "LINK", Label: "Webサイト", Protocol: "WEB"},
			"タグ":     {Type: "CHECK_BOX", Label: "タグ", Options: OptionList(customerTag...)},
			"備考":     {Type: "MULTI_LINE_TEXT", Label: "備考"},
			"電話番号":   {Type: "SINGLE_LINE_TEXT", Label: "電話番号"},
		},
		APITokens: sampleTokens(SampleCustomersApp),
		// Follow-up of each customer: process management, so that statuses, assignees and their
		// APIs have sample data.
		ProcessManagement: &ProcessManagement{
			Enable: true,
			States: map[string]ProcessState{
				"未対応": {Index: "0", Assignee: &ProcessAssignee{Type: "ONE", Entities: []ProcessEntity{
					{Entity: EntityRef{Type: "FIELD_ENTITY", Code: "担当者"}}}}},
				"対応中": {Index: "1", Assignee: &ProcessAssignee{Type: "ONE", Entities: []ProcessEntity{
					{Entity: EntityRef{Type: "FIELD_ENTITY", Code: "担当者"}}}}},
				"完了": {Index: "2"},
			},
			Actions: []ProcessAction{
				{Name: "対応開始", From: "未対応", To: "対応中"},
				{Name: "完了にする", From: "対応中", To: "完了"},
				{Name: "差し戻す", From: "対応中", To: "未対応", Type: "SECONDARY"},
			},
		},
	}
	seen := map[string]bool{}
	app.Records = make([]RecordInput, 0, n)
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
		rec := make(RecordInput, 16)
		rec["会社名"] = ValueInput{name}
		if !g.empty(4) {
			rec["業種"] = ValueInput{g.pick(industries)}
		} else {
			rec["業種"] = ValueInput{nil}
		}
		if !g.empty(5) {
			rec["従業員数"] = ValueInput{strconv.Itoa(5 + g.rnd.IntN(20000))}
		} else {
			rec["従業員数"] = ValueInput{""}
		}
		if !g.empty(5) {
			rec["設立日"] = ValueInput{time.Date(1950+g.rnd.IntN(72), time.Month(1+g.rnd.IntN(12)), 1+g.rnd.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")}
		} else {
			rec["設立日"] = ValueInput{nil}
		}
		if !g.empty(5) {
			rec["担当者"] = ValueInput{users(g.pick(salesUsers))}
		} else {
			rec["担当者"] = ValueInput{[]any{}}
		}
		if !g.empty(5) {
			rec["Webサイト"] = ValueInput{site}
		} else {
			rec["Webサイト"] = ValueInput{""}
		}
		var tags []string
		for _, t := range customerTag {
			if g.rnd.IntN(5) == 0 {
				tags = append(tags, t)
			}
		}
		rec["タグ"] = ValueInput{tags}
		if g.rnd.IntN(3) == 0 {
			rec["備考"] = ValueInput{g.pick(notesJA)}
		} else {
			rec["備考"] = ValueInput{""}
		}
		if !g.empty(10) {
			rec["電話番号"] = ValueInput{fmt.Sprintf("0%d-%04d-%04d", 3+g.rnd.IntN(7), g.rnd.IntN(10000), g.rnd.IntN(10000))}
		} else {
			rec["電話番号"] = ValueInput{""}
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
		"Mobile App", "Analytics Dashboard", "Network Upgrade", "Consulting"}
	dealNotes = []string{"<p>Budget approved.</p>", "<p>Waiting for <b>legal</b> review.</p>", "<div>Met at the trade show &amp; followed up.</div>",
		"<p>Decision maker: CFO</p><ul><li>price</li><li>timeline</li></ul>", "<p>予算確定済み。</p>"}
)

func (g *sampleGen) deals(n int, customers App) App {
	app := App{
		ID: SampleDealsApp, Code: "DEALS", Name: "Deals", SpaceID: 1, ThreadID: 1, Lang: "en",
		Description: "Sales pipeline (sample data)", Creator: "john.smith", CreatedAt: "2024-06-01T00:00:00Z",
		Fields: map[string]FieldProperty{
			"deal_name": {Type: "SINGLE_LINE_TEXT", Label: "Deal name", Required: true},
			"customer": {Type: "SINGLE_LINE_TEXT", Label: "Customer", Lookup: &Lookup{
				RelatedApp: RelatedApp{App: NumString(strconv.Itoa(SampleCustomersApp)), Code: "CUSTOMERS"}, RelatedKeyField: "会社名",
				FieldMappings:      []FieldMapping{{Field: "industry", RelatedField: "業種"}},
				LookupPickerFields: []string{"会社名", "業種"}}},
			"industry":         {Type: "SINGLE_LINE_TEXT", Label: "Industry"},
			"stage":            {Type: "DROP_DOWN", Label: "Stage", Options: OptionList(stages...), Required: true, DefaultValue: "Lead"},
			"amount":           {Type: "NUMBER", Label: "Amount", MinValue: "0", Unit: "¥", Digit: true},
			"probability":      {Type: "NUMBER", Label: "Probability", MinValue: "0", MaxValue: "100", Unit: "%", UnitPosition: "AFTER"},
			"close_date":       {Type: "DATE", Label: "Close date"},
			"owner":            {Type: "USER_SELECT", Label: "Owner"},
			"last_contact":     {Type: "DATETIME", Label: "Last contact"},
			"expected_revenue": {Type: "CALC", Label: "Expected revenue", Expression: "amount * probability / 100", Format: "NUMBER", Unit: "¥"},
			"notes":            {Type: "RICH_TEXT", Label: "Notes"},
			"channels":         {Type: "MULTI_SELECT", Label: "Channels", Options: OptionList(channels...)},
			"priority":         {Type: "RADIO_BUTTON", Label: "Priority", Options: OptionList(priorities...), DefaultValue: "Medium"},
			"call_time":        {Type: "TIME", Label: "Call time"},
		},
		APITokens: sampleTokens(SampleDealsApp),
	}
	app.Records = make([]RecordInput, 0, n)
	for i := 0; i < n; i++ {
		c := customers.Records[g.rnd.IntN(len(customers.Records))]
		rec := make(RecordInput, 20)
		rec["deal_name"] = ValueInput{fmt.Sprintf("%s #%d", g.pick(dealProduct), i+1)}
		if !g.empty(3) {
			rec["customer"] = ValueInput{c["会社名"].Value}
			ind, _ := c["業種"].Value.(string)
			rec["industry"] = ValueInput{ind}
		} else {
			rec["customer"], rec["industry"] = ValueInput{""}, ValueInput{""}
		}
		stage := stages[g.rnd.IntN(len(stages))]
		rec["stage"] = ValueInput{stage}
		prob := map[string]int{"Lead": 10, "Qualified": 30, "Proposal": 60, "Won": 100, "Lost": 0}[stage]
		if !g.empty(4) {
			rec["amount"] = ValueInput{strconv.Itoa((1 + g.rnd.IntN(500)) * 10000)}
		} else {
			rec["amount"] = ValueInput{""}
		}
		if !g.empty(3) {
			rec["probability"] = ValueInput{strconv.Itoa(prob)}
		} else {
			rec["probability"] = ValueInput{""}
		}
		if !g.empty(5) {
			rec["close_date"] = ValueInput{sampleBase.AddDate(0, 0, g.rnd.IntN(540)-365).Format("2006-01-02")}
		} else {
			rec["close_date"] = ValueInput{nil}
		}
		if !g.empty(4) {
			rec["owner"] = ValueInput{users(g.pick(salesUsers))}
		} else {
			rec["owner"] = ValueInput{[]any{}}
		}
		if !g.empty(6) {
			rec["last_contact"] = ValueInput{sampleBase.Add(-time.Duration(g.rnd.IntN(400*24*60)) * time.Minute).Format("2006-01-02T15:04:05Z")}
		} else {
			rec["last_contact"] = ValueInput{""}
		}
		if g.rnd.IntN(4) == 0 {
			rec["notes"] = ValueInput{g.pick(dealNotes)}
		} else {
			rec["notes"] = ValueInput{""}
		}
		var ch []string
		for _, x := range channels {
			if g.rnd.IntN(3) == 0 {
				ch = append(ch, x)
			}
		}
		rec["channels"] = ValueInput{ch}
		if !g.empty(5) {
			rec["priority"] = ValueInput{g.pick(priorities)}
		} else {
			rec["priority"] = ValueInput{nil}
		}
		if !g.empty(30) {
			rec["call_time"] = ValueInput{fmt.Sprintf("%02d:%02d", 9+g.rnd.IntN(9), 15*g.rnd.IntN(4))}
		} else {
			rec["call_time"] = ValueInput{nil}
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

func (g *sampleGen) orders(n int, customers App) App {
	app := App{
		ID: SampleOrdersApp, Code: "ORDERS", Name: "受注明細 Orders", Creator: "admin", CreatedAt: "2023-12-01T00:00:00Z",
		Description: "受注と明細（サンプルデータ）",
		Fields: map[string]FieldProperty{
			"order_no":    {Type: "SINGLE_LINE_TEXT", Label: "受注番号", Required: true, Unique: true},
			"customer":    {Type: "SINGLE_LINE_TEXT", Label: "顧客名"},
			"order_date":  {Type: "DATE", Label: "受注日", DefaultNowValue: true},
			"shipped_at":  {Type: "DATETIME", Label: "出荷日時"},
			"status":      {Type: "DROP_DOWN", Label: "ステータス", Options: OptionList(orderStatus...), DefaultValue: "受付"},
			"region":      {Type: "ORGANIZATION_SELECT", Label: "担当地域"},
			"team":        {Type: "GROUP_SELECT", Label: "担当チーム"},
			"attachments": {Type: "FILE", Label: "添付ファイル"},
			"memo":        {Type: "MULTI_LINE_TEXT", Label: "メモ"},
			"total":       {Type: "CALC", Label: "合計", Expression: "SUM(subtotal)", Format: "NUMBER", Unit: "円", UnitPosition: "AFTER"},
			"items": {Type: "SUBTABLE", Label: "明細", Fields: map[string]FieldProperty{
				"product":    {Type: "SINGLE_LINE_TEXT", Label: "商品"},
				"quantity":   {Type: "NUMBER", Label: "数量"},
				"unit_price": {Type: "NUMBER", Label: "単価"},
				"subtotal":   {Type: "CALC", Label: "小計", Expression: "quantity * unit_price", Format: "NUMBER"},
			}},
		},
		APITokens: sampleTokens(SampleOrdersApp),
	}
	app.Records = make([]RecordInput, 0, n)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	span := int(sampleBase.Sub(start).Hours() / 24)
	for i := 0; i < n; i++ {
		day := start.AddDate(0, 0, i*span/n)
		rec := make(RecordInput, 16)
		rec["order_no"] = ValueInput{fmt.Sprintf("ORD-%06d", i+1)}
		if !g.empty(2) {
			rec["customer"] = ValueInput{customers.Records[g.rnd.IntN(len(customers.Records))]["会社名"].Value}
		} else {
			rec["customer"] = ValueInput{""}
		}
		if !g.empty(1) {
			rec["order_date"] = ValueInput{day.Format("2006-01-02")}
		} else {
			rec["order_date"] = ValueInput{nil}
		}
		status := orderStatus[g.rnd.IntN(len(orderStatus))]
		if i < n-300 && g.rnd.IntN(4) != 0 {
			status = "出荷済"
		}
		if g.empty(2) {
			rec["status"] = ValueInput{nil}
		} else {
			rec["status"] = ValueInput{status}
		}
		if status == "出荷済" {
			rec["shipped_at"] = ValueInput{time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, jst).
				Add(time.Duration(24+g.rnd.IntN(96))*time.Hour + time.Duration(g.rnd.IntN(60))*time.Minute).UTC().Format("2006-01-02T15:04:05Z")}
		} else {
			rec["shipped_at"] = ValueInput{""}
		}
		if !g.empty(5) {
			rec["region"] = ValueInput{[]map[string]any{{"code": g.pick(regions)}}}
		} else {
			rec["region"] = ValueInput{[]any{}}
		}
		switch g.rnd.IntN(10) {
		case 0:
			rec["team"] = ValueInput{[]map[string]any{{"code": "managers"}, {"code": "oncall"}}}
		case 1, 2:
			rec["team"] = ValueInput{[]any{}}
		default:
			rec["team"] = ValueInput{[]map[string]any{{"code": g.pick(teams)}}}
		}
		if i%97 == 5 {
			rec["attachments"] = ValueInput{[]map[string]any{{
				"fileKey": fmt.Sprintf("20260101000000%06dORD", i+1), "name": fmt.Sprintf("見積書_ORD-%06d.pdf", i+1),
				"contentType": "application/pdf", "size": strconv.Itoa(20000 + g.rnd.IntN(300000))}}}
		} else {
			rec["attachments"] = ValueInput{[]any{}}
		}
		switch {
		case i == 41:
			rec["memo"] = ValueInput{`He said "ship it" \ C:\orders\2024\ — 引用符 "テスト" と \\ バックスラッシュ`}
		case g.rnd.IntN(5) == 0:
			rec["memo"] = ValueInput{g.pick(orderMemos)}
		case g.rnd.IntN(50) == 0:
			rec["memo"] = ValueInput{"   "}
		default:
			rec["memo"] = ValueInput{""}
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
				"product":    ValueInput{products[p]},
				"quantity":   ValueInput{qty},
				"unit_price": ValueInput{strconv.Itoa(unitPrices[p])},
			}}
		}
		rec["items"] = ValueInput{rows}
		created := time.Date(day.Year(), day.Month(), day.Day(), 9+g.rnd.IntN(9), g.rnd.IntN(60), 0, 0, jst)
		creator := g.pick(allUsers)
		stamp(rec, sysJA, creator, created, creator, created.Add(time.Duration(g.rnd.IntN(72))*time.Hour))
		app.Records = append(app.Records, rec)
	}
	return app
}

func (g *sampleGen) guestTasks() App {
	app := App{
		ID: SampleGuestApp, Code: "GUEST_TASKS", Name: "Guest Tasks", GuestSpaceID: SampleGuestSpace, ThreadID: 2, Lang: "en",
		Description: "Tasks shared with a partner in guest space 1", Creator: "admin", CreatedAt: "2025-09-01T00:00:00Z",
		Fields: map[string]FieldProperty{
			"title":    {Type: "SINGLE_LINE_TEXT", Label: "Title", Required: true},
			"due":      {Type: "DATE", Label: "Due"},
			"assignee": {Type: "USER_SELECT", Label: "Assignee"},
			"done":     {Type: "CHECK_BOX", Label: "Done", Options: OptionList("done")},
		},
		APITokens: sampleTokens(SampleGuestApp),
	}
	titles := []string{"Kick-off meeting", "Share requirements", "Review mock-ups", "Sign NDA", "Deliver first draft"}
	for i, t := range titles {
		rec := RecordInput{"title": {t}, "due": {sampleBase.AddDate(0, 0, 7*i).Format("2006-01-02")},
			"assignee": {users(allUsers[1+i%5])}}
		if i < 2 {
			rec["done"] = ValueInput{[]string{"done"}}
		} else {
			rec["done"] = ValueInput{[]string{}}
		}
		if i == 4 {
			rec["due"] = ValueInput{nil}
		}
		stamp(rec, sysEN, "admin", time.Date(2025, 9, 1+i, 10, 0, 0, 0, jst), "admin", time.Date(2025, 9, 1+i, 10, 0, 0, 0, jst))
		app.Records = append(app.Records, rec)
	}
	return app
}
