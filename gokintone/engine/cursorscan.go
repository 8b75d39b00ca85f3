package engine

// Scans read through kintone's records cursor API, when a connection sets UseCursor=true.
//
// The default read strategy is id-range paging (scan.go): faster (ranges are read side by
// side), no more requests, and not limited to the ten cursors a kintone domain may have open
// at once. A cursor sends the query the pager would send (the pushed condition, the order by
// $id and the fields projection) without limit and offset, which a cursor query cannot have:
// the vtab cursor applies LIMIT and OFFSET to the rows instead, after its exact re-check, and
// the cursor is deleted as soon as SQLite stops reading.
//
// Rules, each documented in the README:
//   - A scan that one records.json request answers (a LIMIT and OFFSET kintone applies within
//     one page, an Id lookup) is that one request: as consistent as a cursor, a third of the
//     requests (no create, no delete).
//   - When kintone refuses a cursor because the domain has ten open (429 GAIA_TM12), the scan
//     reads by id at once, with a warning: waiting could last minutes (an idle cursor lives ten
//     minutes), could wait for cursors the same connection holds (a join, statements not fully
//     fetched), and would take slots other clients of the domain need.
//   - A page read (GET) is never sent again: each advances the cursor, so a resent request
//     whose first reply was lost would skip a page. After a transient failure of a page read
//     before any row was handed to SQLite, the scan starts over once with a new cursor (the old
//     one deleted); any other failure ends the scan with an error saying so.
//   - The cursor is deleted when the scan stops before kintone has sent the last page (kintone
//     deletes it with the last page): at an error, a cancel, a LIMIT met, and when the
//     statement or its connection is closed.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// cursorRestartDelay is the pause before a scan starts over with a new cursor after a
// transient failure of its first page read. A variable so that tests need not wait.
var cursorRestartDelay = time.Second

// cursorDeleteTimeout bounds the DELETE of a cursor. It is sent with the statement's context
// stripped of its cancellation: a cancelled statement must still delete its cursor.
const cursorDeleteTimeout = 30 * time.Second

// wantsCursor reports whether a scan that sends push with the used constraints cons (limit and
// offset as source takes them) reads through a cursor: when UseCursor is set, unless one
// request answers it.
func (v *vtab) wantsCursor(push pushed, cons [][3]int, limit, offset int64) bool {
	return v.e.opts.UseCursor && !v.oneRequest(push, cons, limit, offset)
}

// oneRequest reports whether one records.json request answers a scan: kintone applies its
// LIMIT and OFFSET and they end within the first page, or it sent an equality on the record
// id (at most one record, whose child-table rows come with it).
func (v *vtab) oneRequest(push pushed, cons [][3]int, limit, offset int64) bool {
	size := int64(v.e.opts.Pagesize)
	if push.exact && limit >= 0 && limit <= size && offset <= size-limit {
		return true
	}
	for i, con := range cons {
		if con[1] == opEQ && v.t.Columns[con[0]].FieldCode == "$id" && i < len(push.sent) && push.sent[i] {
			return true
		}
	}
	return false
}

// cursorQuery is the query of a cursor for a scan that sends push: the pager's, without
// limit and offset.
func cursorQuery(push pushed, desc bool) string {
	q := kquery.Query{Where: push.where, OrderBy: kqueryOrder(desc)}
	return q.String()
}

// cursorScan describes a scan read through a cursor with query.
func (v *vtab) cursorScan(cons [][3]int, args []any, push pushed, query string) Scan {
	s := Scan{Table: v.name, Query: query, Limit: -1, Offset: -1, Cursor: true}
	s.Sent, s.Local = v.conditions(cons, args, push)
	return s
}

// openCursor creates the cursor of a scan that sends push, in Id order (descending when
// desc). It returns nil and no error when kintone refuses because the domain has as many
// cursors open as it allows: the scan then reads by id, and a warning says so.
func (v *vtab) openCursor(ctx context.Context, st *Stmt, push pushed, desc bool) (*cursorSource, error) {
	c := &cursorSource{v: v, ctx: ctx, query: cursorQuery(push, desc), fields: v.fields(st)}
	err := c.create()
	var ae *kclient.APIError
	if errors.As(err, &ae) && ae.Code == "GAIA_TM12" {
		v.e.warns.add("UseCursor: kintone refused a cursor for table %s because the domain has ten cursors open, "+
			"the most it allows (GAIA_TM12); the scan reads by record id instead", v.name)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// cursorSource reads a scan through a records cursor, page after page, the next page
// requested while SQLite consumes the current one.
type cursorSource struct {
	v      *vtab
	ctx    context.Context
	query  string
	fields []string

	id        string // the open cursor; "" when none is (kintone or close deleted it)
	more      bool   // kintone has pages left
	buf       []row  // the current page
	pos       int
	received  int  // records received, for messages
	delivered bool // a row has been handed on: the scan can no longer start over
	restarted bool // the scan has started over once

	ahead  chan cursorPage    // the read of the next page, under way; nil when none is
	cancel context.CancelFunc // cancels it
}

// cursorPage is the outcome of one page read.
type cursorPage struct {
	page *kclient.CursorPage
	err  error
}

// create opens a new cursor for the scan's query.
func (c *cursorSource) create() error {
	cur, err := c.v.e.client.CreateCursor(c.ctx, c.v.t.AppID, c.query, c.fields, c.v.e.opts.Pagesize)
	if err != nil {
		return err
	}
	c.id, c.more = cur.ID, true
	return nil
}

func (c *cursorSource) next() (*row, error) {
	for c.pos >= len(c.buf) {
		if !c.more {
			return nil, nil
		}
		if err := c.fill(); err != nil {
			c.close() // the statement may stay open long after its error: delete the cursor now
			return nil, err
		}
	}
	c.pos++
	c.delivered = true
	return &c.buf[c.pos-1], nil
}

// fill reads the next page into buf, starting over with a new cursor after a transient failure
// when no row has been handed on yet.
func (c *cursorSource) fill() error {
	pg := c.take()
	if pg.err != nil && !c.delivered && !c.restarted && kclient.IsRetryable(pg.err) && c.ctx.Err() == nil {
		c.restarted = true
		c.close()
		select {
		case <-time.After(cursorRestartDelay):
		case <-c.ctx.Done():
			return kerr.Wrap(c.ctx.Err(), kerr.KindInterrupted, "the statement was stopped: %v", c.ctx.Err())
		}
		if err := c.create(); err != nil {
			return err
		}
		pg = c.take()
	}
	if pg.err != nil {
		return c.readError(pg.err)
	}
	c.more = pg.page.Next
	if !c.more {
		c.id = "" // kintone deletes a cursor with its last page
	}
	rows, err := recordRows(c.v.t, pg.page.Records)
	if err != nil {
		return err
	}
	c.received += len(pg.page.Records)
	c.buf, c.pos = rows, 0
	if c.more {
		c.prefetch()
	}
	return nil
}

// take returns the next page: the one read ahead, or one read now.
func (c *cursorSource) take() cursorPage {
	if c.ahead == nil {
		return c.read(c.ctx, c.id)
	}
	pg := <-c.ahead
	c.cancel()
	c.ahead, c.cancel = nil, nil
	return pg
}

// read sends one GET of cursor id.
func (c *cursorSource) read(ctx context.Context, id string) cursorPage {
	page, err := c.v.e.client.CursorRecords(ctx, c.v.t.AppID, id)
	return cursorPage{page: page, err: err}
}

// prefetch starts reading the next page.
func (c *cursorSource) prefetch() {
	ctx, cancel := context.WithCancel(c.ctx)
	ch := make(chan cursorPage, 1)
	c.ahead, c.cancel = ch, cancel
	id := c.id
	go func() {
		defer recovered(func(err error) { ch <- cursorPage{err: err} })
		ch <- c.read(ctx, id)
	}()
}

// readError is the error of a failed page read, naming the table and saying how far the scan
// got; after a transient failure, also why the read was not sent again.
func (c *cursorSource) readError(err error) error {
	e := kerr.As(err)
	if e == nil || c.ctx.Err() != nil {
		return err // a cancelled statement: the error says so already
	}
	msg := fmt.Sprintf("reading table %s through a kintone cursor failed after %d records: %s", c.v.name, c.received, e.Message)
	if kclient.IsRetryable(err) {
		msg += "; a cursor's page read is never sent again (if the lost reply had reached kintone, the cursor " +
			"would have moved on and a page of records would be skipped), so the scan stops; run the statement again"
	}
	return e.WithMessage(msg, err)
}

// close stops the read: a page read under way is cancelled and awaited, and the cursor, unless
// kintone has deleted it, is deleted. A cursor that cannot be deleted is left to expire (ten
// minutes after its last read) with a warning.
func (c *cursorSource) close() {
	if c.ahead != nil {
		c.cancel()
		if pg := <-c.ahead; pg.err == nil && !pg.page.Next {
			c.id = "" // it read the last page: kintone has deleted the cursor
		}
		c.ahead, c.cancel = nil, nil
	}
	c.more = false
	if c.id == "" {
		return
	}
	id := c.id
	c.id = ""
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), cursorDeleteTimeout)
	defer cancel()
	if err := c.v.e.client.DeleteCursor(ctx, c.v.t.AppID, id); err != nil {
		c.v.e.warns.add("could not delete the kintone cursor of a scan of table %s (kintone deletes it ten minutes "+
			"after its last read): %v", c.v.name, err)
	}
}
