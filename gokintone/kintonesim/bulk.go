package kintonesim

import (
	"strconv"
	"strings"
)

var (
	msgMaxRequests = text{"Specify between 1 and 20 requests.", "requestsは1件以上20件以下で指定してください。"}
	msgNotInBulk   = text{"This API cannot be used in bulkRequest.", "bulkRequestでは使用できないAPIです。"}
)

// bulkRequest answers POST bulkRequest.json: up to 20 record writes (the routes whose handler
// is a writeOp) run in order in one transaction. An item's api is read for its resource and
// guest space. On failure nothing is applied and the answer is {"results":[...]} with the
// failing request's error at its index and {} elsewhere, sent with that error's status.
func (s *Server) bulkRequest(q *request) (any, *apiError) {
	items, ok := q.p["requests"].([]any)
	if !ok || len(items) == 0 || len(items) > 20 {
		return nil, errInvalid("requests", msgMaxRequests)
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	t := s.st.begin()
	results := make([]any, len(items))
	for i, it := range items {
		m, _ := it.(map[string]any)
		method, _ := scalarString(m["method"])
		api, _ := scalarString(m["api"])
		payload, _ := m["payload"].(map[string]any)
		op, c, e := s.bulkItem(q, i, strings.ToUpper(method), api)
		var out any
		if e == nil {
			out, e = op(t, &c, params(payload))
		}
		if e != nil {
			t.rollback()
			for j := range results {
				results[j] = map[string]any{}
			}
			results[i] = e.body(q.lang)
			return nil, &apiError{status: s.statusFor(e), code: e.code, bulk: map[string]any{"results": results}}
		}
		results[i] = out
	}
	return map[string]any{"results": results}, nil
}

// bulkItem resolves item i of a bulkRequest.json call: the write its method and api name, and
// the caller with the api's guest space.
func (s *Server) bulkItem(q *request, i int, method, api string) (writeOp, caller, *apiError) {
	key := "requests[" + strconv.Itoa(i) + "].api"
	ap, ok := parseAPIPath(api)
	if !ok {
		return nil, caller{}, errInvalid(key, msgNotFound)
	}
	var op writeOp
	if r := s.routes.find(method, kintoneRoute(false, ap.resource)); r != nil {
		op, _ = r.handler.(writeOp)
	}
	if op == nil {
		return nil, caller{}, errInvalid(key, msgNotInBulk)
	}
	c := q.caller
	c.guest = ap.guest
	return op, c, nil
}
