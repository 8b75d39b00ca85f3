package engine

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// maxOffset is the largest offset kintone accepts.
const maxOffset = 10_000

// source starts a scan. remote reports whether kintone applies limit and offset; otherwise
// the cursor applies them to the rows the source yields (after its exact re-check).
//
// A table scanned with pushed filters more often than FilterCallsBeforeCache times in one
// statement (an IN list, the inner side of a join, a correlated subquery) is fetched whole
// once and served from memory after that, so that a join never costs one request per outer
// row. A second scan of the whole table is served from memory at once, unless kintone can
// answer it with a bounded page (a pushed LIMIT).
//
// cons and args are the scan's used constraints and their values: an equality among them
// narrows a scan of the cached table to the rows an index finds (the cursor still re-checks
// every constraint on them).
func (v *vtab) source(ctx context.Context, st *Stmt, push pushed, desc bool, limit, offset int64, cons [][3]int, args []any) (src rowSource, remote bool, err error) {
	if v.t == commentsTable {
		return v.commentSource(ctx, st, cons, args)
	}
	if v.t == appsView {
		src, err := v.appsSource(ctx, cons, args)
		return src, false, err
	}
	if s := settingsTableOf(v.t); s != nil {
		src, err := v.settingsSource(ctx, st, s, cons, args)
		return src, false, err
	}
	if u := userViewOf(v.t); u != nil {
		src, err := v.userSource(ctx, st, u, cons, args)
		return src, false, err
	}
	if v.t.System != "" {
		rows, err := v.e.systemRows(ctx, v.t.System)
		if err != nil {
			return nil, false, err
		}
		return &sliceSource{rows: rows}, false, nil
	}
	if st != nil {
		if src, err := v.countOnly(ctx, st, push, cons, args, limit, offset); src != nil || err != nil {
			return src, false, err
		}
	}
	if st != nil && st.cache != nil {
		st.filters[v.t]++
		if c := st.cache[v.t]; c != nil {
			return &sliceSource{rows: cachedRows(v.t, c, cons, args), desc: desc}, false, nil
		}
		bounded := push.exact && limit >= 0
		n := st.filters[v.t]
		if n > v.e.opts.FilterCallsBeforeCache || (n > 1 && push.where == nil && !bounded) {
			whole, _, err := v.reader(ctx, st, pushed{}, false, -1, 0, cons, args, true)
			if err != nil {
				return nil, false, err
			}
			rows, err := v.fetchAll(whole)
			if err != nil {
				return nil, false, err
			}
			c := &tableCache{rows: rows, collated: st.facts.hasCollate}
			st.cache[v.t] = c
			return &sliceSource{rows: cachedRows(v.t, c, cons, args), desc: desc}, false, nil
		}
	}
	return v.reader(ctx, st, push, desc, limit, offset, cons, args, false)
}

// reader starts reading the records of a scan that sends push (in Id order, descending when
// desc; with limit and offset when push is exact, -1: no limit) and tells Options.OnScan of
// it: through a records cursor when UseCursor asks for one (cursorscan.go), else by id-range
// pages. remote reports whether kintone applies limit and offset. whole marks the read of a
// table held in memory for the rest of the statement (cons and args are then only reported).
func (v *vtab) reader(ctx context.Context, st *Stmt, push pushed, desc bool, limit, offset int64, cons [][3]int, args []any, whole bool) (src rowSource, remote bool, err error) {
	if v.wantsCursor(push, cons, limit, offset) {
		c, err := v.openCursor(ctx, st, push, desc)
		if err != nil {
			return nil, false, err
		}
		if c != nil {
			if report := v.e.opts.OnScan; report != nil {
				s := v.cursorScan(cons, args, push, c.query)
				s.Whole = whole
				report(s)
			}
			return c, false, nil
		}
		// (nil: the domain's cursors are all in use; the scan reads by id.)
	}
	p := v.newPager(ctx, st, push, desc, limit, offset)
	if report := v.e.opts.OnScan; report != nil {
		s := v.scan(cons, args, push, p)
		s.Whole = whole
		report(s)
	}
	return p, push.exact, nil
}

// newPager is the pager of a scan that sends push, in Id order (descending when desc); it
// sends limit and offset too when push is exact (-1: no limit).
func (v *vtab) newPager(ctx context.Context, st *Stmt, push pushed, desc bool, limit, offset int64) *pager {
	p := &pager{v: v, ctx: ctx, where: push.where, desc: desc, limit: -1,
		parallel: limit < 0 && offset == 0, fields: v.fields(st)}
	if push.exact {
		p.limit = limit
		p.offset = offset
		if offset > maxOffset {
			p.offset, p.localSkip = maxOffset, offset-maxOffset
		}
	}
	return p
}

// fetchAll reads every row p (a read without condition or limit) yields.
func (v *vtab) fetchAll(p rowSource) ([]*row, error) {
	defer p.close()
	var rows []*row
	for {
		r, err := p.next()
		if err != nil {
			return nil, err
		}
		if r == nil {
			return rows, nil
		}
		if len(rows) >= v.e.opts.CacheRowLimit {
			return nil, kerr.New(kerr.KindLimit,
				"the statement scans table %s repeatedly and it has more than %d rows, the limit for holding a table in memory; add a WHERE condition on that table or split the query",
				v.t.Name, v.e.opts.CacheRowLimit)
		}
		rows = append(rows, r)
	}
}

// sliceSource serves a cached table, held in ascending Id order. Its rows keep the values
// converted by earlier scans.
type sliceSource struct {
	rows []*row
	pos  int
	desc bool
}

func (s *sliceSource) next() (*row, error) {
	if s.pos >= len(s.rows) {
		return nil, nil
	}
	s.pos++
	if s.desc {
		return s.rows[len(s.rows)-s.pos], nil
	}
	return s.rows[s.pos-1], nil
}

func (s *sliceSource) close() {}

type page struct {
	recs []kclient.Record
	rows []row // the rows of recs, their values converted ahead (readRange)
	err  error
}

// pager reads a table in pages of records ordered by $id, seeking past the last id of each
// page ("(condition) and $id > last"): unlike offset paging it has no 10,000-record ceiling and
// neither skips nor repeats a record when others are added or deleted meanwhile. The next page
// is fetched while SQLite consumes the current one.
type pager struct {
	v         *vtab
	ctx       context.Context
	where     kquery.Expr
	desc      bool
	fields    []string
	limit     int64 // records kintone may still return (pushed LIMIT), -1 for no limit
	offset    int64 // pushed OFFSET for the first page
	localSkip int64 // records to skip beyond kintone's maximum offset

	started bool
	done    bool
	lastID  int64
	firstID int64 // the first matching id, from the first page of an ascending scan
	buf     []row // the current page; a new one per page (cached tables keep the rows)
	pos     int
	ahead   chan page
	cancel  context.CancelFunc

	parallel bool          // the whole table is wanted: id ranges may be read concurrently
	parts    []chan page   // pages of each id range, consumed in order
	window   chan struct{} // one place per range being read or waiting to be consumed
}

func (p *pager) next() (*row, error) {
	for p.pos >= len(p.buf) {
		if p.done {
			return nil, nil
		}
		if err := p.fill(); err != nil {
			return nil, err
		}
	}
	p.pos++
	return &p.buf[p.pos-1], nil
}

// request builds the query for the next page and its size; size 0 means nothing is left.
func (p *pager) request() (string, int64) {
	size := int64(p.v.e.opts.Pagesize)
	if p.limit >= 0 && p.limit+p.localSkip < size {
		size = p.limit + p.localSkip
	}
	if size <= 0 {
		return "", 0
	}
	where := p.where
	if p.started {
		op := kquery.Gt
		if p.desc {
			op = kquery.Lt
		}
		where = kquery.And(where, kquery.C("$id", op, kquery.Int(p.lastID)))
	}
	q := kquery.Query{Where: where, OrderBy: kqueryOrder(p.desc), Limit: kquery.Int64(size)}
	if !p.started && p.offset > 0 {
		q.Offset = kquery.Int64(p.offset)
	}
	return q.String(), size
}

// fetchHook, set only by tests, runs at each page fetch, on the goroutine that fetches it.
var fetchHook func()

func (p *pager) fetch(ctx context.Context, query string) page {
	if fetchHook != nil {
		fetchHook()
	}
	res, err := p.v.e.client.Records(ctx, p.v.t.AppID, query, p.fields, false)
	if err != nil {
		return page{err: err}
	}
	return page{recs: res.Records}
}

func (p *pager) fill() error {
	if p.parts != nil {
		return p.fillFromParts()
	}
	var pg page
	query, size := p.request()
	if size == 0 {
		p.done = true
		return nil
	}
	if p.ahead != nil {
		pg = <-p.ahead
		p.ahead = nil
	} else {
		pg = p.fetch(p.ctx, query)
	}
	if pg.err != nil {
		return pg.err
	}
	p.started = true
	if int64(len(pg.recs)) < size {
		p.done = true
	}
	if n := len(pg.recs); n > 0 {
		id, err := strconv.ParseInt(rawString(pg.recs[n-1]["$id"].Value), 10, 64)
		if err != nil {
			return badRecordID(p.v.t, pg.recs[n-1])
		}
		if p.lastID == 0 && !p.desc { // the first page: where the matching ids start
			if first, err := strconv.ParseInt(rawString(pg.recs[0]["$id"].Value), 10, 64); err == nil {
				p.firstID = first
			}
		}
		p.lastID = id
	}
	recs := pg.recs
	if p.localSkip > 0 {
		k := p.localSkip
		if k > int64(len(recs)) {
			k = int64(len(recs))
		}
		recs = recs[k:]
		p.localSkip -= k
	}
	if p.limit >= 0 {
		if int64(len(recs)) > p.limit {
			recs = recs[:p.limit]
		}
		p.limit -= int64(len(recs))
	}
	rows, err := recordRows(p.v.t, recs)
	if err != nil {
		return err
	}
	p.buf, p.pos = rows, 0
	if !p.done {
		if p.parallel && !p.desc && p.limit < 0 && p.localSkip == 0 && p.v.e.opts.ScanParallelism > 1 {
			return p.partition()
		}
		p.prefetch()
	}
	return nil
}

// partition splits the rest of a full-table scan, after the first page (left in p.buf), into
// id ranges read
// concurrently (at most ScanParallelism requests at once, well under kintone's 100 per
// domain) and consumed in order, so rows still come in ascending Id. The range ends at the
// largest id matching when the scan starts: records added later are not read, as with a
// cursor.
func (p *pager) partition() error {
	probe := kquery.Query{Where: p.where, OrderBy: kqueryOrder(true), Limit: kquery.Int64(1)}
	res, err := p.v.e.client.Records(p.ctx, p.v.t.AppID, probe.String(), []string{"$id"}, false)
	if err != nil {
		return err
	}
	if len(res.Records) == 0 {
		p.done = true
		return nil
	}
	maxID, err := strconv.ParseInt(rawString(res.Records[0]["$id"].Value), 10, 64)
	if err != nil {
		return badRecordID(p.v.t, res.Records[0])
	}
	// Ids per range: about four pages at the density of matching ids on the first page, so
	// that sparse ids (deleted records, a selective condition) do not cost a request per
	// mostly empty range.
	span := int64(p.v.e.opts.Pagesize) * 4
	if seen := p.lastID - p.firstID + 1; p.firstID > 0 && seen > int64(p.v.e.opts.Pagesize) {
		span = max(span, 4*seen)
	}
	ctx, cancel := context.WithCancel(p.ctx)
	p.cancel = cancel
	var ranges [][2]int64
	for lo := p.lastID; lo < maxID; lo += span {
		ranges = append(ranges, [2]int64{lo, min(lo+span, maxID)})
	}
	parts := make([]chan page, len(ranges))
	for i := range parts {
		parts[i] = make(chan page, 4)
	}
	p.parts = parts // the consumer's view; the goroutines keep their own
	// A window of ranges: a range is started only when fewer than ScanParallelism ranges are
	// being read or wait to be consumed; the consumer frees a place when it has taken the last
	// page of a range. So the pages held at once are bounded (at most ScanParallelism ranges
	// of four pages), however large the table and however slow the consumer.
	window := make(chan struct{}, p.v.e.opts.ScanParallelism)
	p.window = window
	go func() { // starts the ranges in order, so the one consumed next is always running
		next := 0 // the first range not started
		defer recovered(func(err error) { failParts(parts[next:], err) })
		for i, r := range ranges {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				for _, ch := range parts[i:] {
					close(ch)
				}
				return
			}
			go p.readRange(ctx, parts[i], r[0], r[1])
			next = i + 1
		}
	}()
	return nil // the first page is still in p.buf
}

// readRange sends the pages of records with lo < $id <= hi to out, then closes it.
func (p *pager) readRange(ctx context.Context, out chan page, lo, hi int64) {
	defer close(out)
	defer recovered(func(err error) { sendPage(ctx, out, page{err: err}) })
	size := int64(p.v.e.opts.Pagesize)
	for {
		where := kquery.And(p.where, kquery.C("$id", kquery.Gt, kquery.Int(lo)), kquery.C("$id", kquery.Le, kquery.Int(hi)))
		q := kquery.Query{Where: where, OrderBy: kqueryOrder(false), Limit: kquery.Int64(size)}
		pg := p.fetch(ctx, q.String())
		if pg.err == nil {
			pg.rows, pg.err = p.rowsAhead(pg.recs)
		}
		select {
		case out <- pg:
		case <-ctx.Done():
			return
		}
		if pg.err != nil || int64(len(pg.recs)) < size {
			return
		}
		id, err := strconv.ParseInt(rawString(pg.recs[len(pg.recs)-1]["$id"].Value), 10, 64)
		if err != nil {
			select {
			case out <- page{err: badRecordID(p.v.t, pg.recs[len(pg.recs)-1])}:
			case <-ctx.Done():
			}
			return
		}
		if id >= hi {
			return // the range is read; no need to ask for an empty page
		}
		lo = id
	}
}

// fillFromParts takes the next page of the id ranges.
func (p *pager) fillFromParts() error {
	for len(p.parts) > 0 {
		pg, ok := <-p.parts[0]
		if !ok {
			p.parts = p.parts[1:]
			select { // that range is consumed: the next may start
			case <-p.window:
			default: // (closed unread after a cancel: it held no place)
			}
			continue
		}
		if pg.err != nil {
			return pg.err
		}
		p.buf, p.pos = pg.rows, 0
		return nil
	}
	p.done = true
	return nil
}

// rowsAhead turns the records of a page into rows and converts the values of the columns the
// scan asked kintone for, on the goroutine that read the page, so that the statement's thread
// (SQLite's) mostly hands values over while other pages are converted in parallel. A value
// that cannot be converted is left as it is: the statement converts it again, and fails with
// its error, only if it reads it.
func (p *pager) rowsAhead(recs []kclient.Record) ([]row, error) {
	rows, err := recordRows(p.v.t, recs)
	if err != nil {
		return nil, err
	}
	cols := p.convertedAhead()
	for k := range rows {
		for _, i := range cols {
			_, _ = rows[k].value(p.v.t, i)
		}
	}
	return rows, nil
}

// convertedAhead are the columns rowsAhead converts: those of the fields the scan asks for
// (every column when it asks for all, and in a child table).
func (p *pager) convertedAhead() []int {
	t := p.v.t
	cols := make([]int, 0, len(t.Columns))
	for i := range t.Columns {
		if p.fields == nil || t.Subtable != "" || slices.Contains(p.fields, t.Columns[i].FieldCode) {
			cols = append(cols, i)
		}
	}
	return cols
}

// prefetch starts the request for the page after the current one.
func (p *pager) prefetch() {
	query, size := p.request()
	if size == 0 {
		return
	}
	ctx, cancel := context.WithCancel(p.ctx)
	p.cancel = cancel
	ch := make(chan page, 1)
	p.ahead = ch
	go func() {
		defer recovered(func(err error) { ch <- page{err: err} })
		ch <- p.fetch(ctx, query)
	}()
}

func (p *pager) close() {
	if p.cancel != nil {
		p.cancel()
	}
}

func rawString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
