package kintonesim

import "strconv"

// recordAPI answers the record reads: records.json and record.json GET, and records/cursor.json.
// The record writes are the store's writeOps (write.go, process.go).
type recordAPI struct{ *store }

var msgCursorSize = text{"Enter a value between 1 and 500.", "1以上500以下の値を指定してください。"}

// getRecords answers GET records.json.
func (a recordAPI) getRecords(q *request) (any, *apiError) {
	count, e := q.p.boolean("totalCount")
	if e != nil {
		return nil, e
	}
	proj := projectionOf(q.p)
	if len(proj) > 1000 {
		return nil, errInvalid("fields", text{"Specify up to 1000 fields.", "fieldsは1000個以下で指定してください。"})
	}
	query, _ := q.p.str("query")
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, e := a.appParam(&q.caller, q.p, "app", permView)
	if e != nil {
		return nil, e
	}
	query, aborted := a.abortFilter(q.login, d, query) // filterabort.go
	sel, e := a.compileQuery(q.login, d, query)
	if e != nil {
		return nil, e
	}
	if aborted {
		q.w.Header().Set("X-Cybozu-Warning", filterAbortedWarning)
	}
	recs, total := a.run(d, sel, true, count)
	q.records = len(recs)
	b := make([]byte, 0, 256+len(recs)*512)
	b = append(b, `{"records":[`...)
	for i, r := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = a.appendRecord(b, d, r, proj)
	}
	b = append(b, `],"totalCount":`...)
	if count {
		b = appendQuotedInt(b, total)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, "}\n"...)
	return rawJSON(b), nil
}

// getRecord answers GET record.json.
func (a recordAPI) getRecord(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, e := a.appParam(&q.caller, q.p, "app", permView)
	if e != nil {
		return nil, e
	}
	id, idText, e := q.p.id("id")
	if e != nil {
		return nil, e
	}
	i, ok := d.find(id)
	if !ok {
		return nil, errRecordNotFound(idText)
	}
	q.records = 1
	b := append([]byte(nil), `{"record":`...)
	b = a.appendRecord(b, d, d.records[i], nil)
	b = append(b, "}\n"...)
	return rawJSON(b), nil
}

// postCursor answers POST records/cursor.json.
func (a recordAPI) postCursor(q *request) (any, *apiError) {
	size, e := q.p.optInt("size", 100)
	if e != nil {
		return nil, e
	}
	if size < 1 || size > 500 {
		return nil, errInvalid("size", msgCursorSize)
	}
	query, _ := q.p.str("query")
	a.mu.RLock()
	d, e := a.appParam(&q.caller, q.p, "app", permView)
	if e != nil {
		a.mu.RUnlock()
		return nil, e
	}
	sel, e := a.compileQuery(q.login, d, query)
	if e == nil && (sel.query.Limit != nil || sel.query.Offset != nil) {
		e = errInvalid("query", text{"limit and offset cannot be used with a cursor.", "カーソルではlimitとoffsetを使用できません。"})
	}
	if e != nil {
		a.mu.RUnlock()
		return nil, e
	}
	recs, _ := a.run(d, sel, false, false)
	a.mu.RUnlock()
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.id
	}
	c := &cursor{appID: d.meta.ID, ids: ids, size: int(size), proj: projectionOf(q.p)}
	if e := a.cursors.add(c, a.now()); e != nil {
		return nil, e
	}
	return map[string]any{"id": c.id, "totalCount": strconv.Itoa(len(ids))}, nil
}

// cursorID reads the id parameter of records/cursor.json GET and DELETE.
func cursorID(q *request) (string, *apiError) {
	id, ok := q.p.str("id")
	if !ok || id == "" {
		return "", errInvalid("id", msgRequired)
	}
	return id, nil
}

// getCursor answers GET records/cursor.json: the cursor's next page.
func (a recordAPI) getCursor(q *request) (any, *apiError) {
	id, e := cursorID(q)
	if e != nil {
		return nil, e
	}
	c, page, more, e := a.cursors.next(id, a.now())
	if e != nil {
		return nil, e
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	d := a.apps[c.appID]
	b := append([]byte(nil), `{"records":[`...)
	n := 0
	for _, id := range page {
		i, ok := d.find(id)
		if !ok {
			continue // deleted since the cursor was made
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = a.appendRecord(b, d, d.records[i], c.proj)
		n++
	}
	q.records = n
	b = append(b, `],"next":`...)
	b = strconv.AppendBool(b, more)
	b = append(b, "}\n"...)
	return rawJSON(b), nil
}

// deleteCursor answers DELETE records/cursor.json.
func (a recordAPI) deleteCursor(q *request) (any, *apiError) {
	id, e := cursorID(q)
	if e != nil {
		return nil, e
	}
	if e := a.cursors.remove(id, a.now()); e != nil {
		return nil, e
	}
	return map[string]any{}, nil
}
