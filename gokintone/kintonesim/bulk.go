package kintonesim

import (
	"strconv"
	"strings"
)

var msgMaxRequests = text{"Specify between 1 and 20 requests.", "requestsは1件以上20件以下で指定してください。"}

// bulkRequest answers POST bulkRequest.json: up to 20 write requests run in order in one
// transaction. On failure nothing is applied and the answer is {"results":[...]} with the
// failing request's error at its index and {} elsewhere, sent with that error's status.
func (s *Server) bulkRequest(q *request) (any, *apiError) {
	items, ok := q.p["requests"].([]any)
	if !ok || len(items) == 0 || len(items) > 20 {
		return nil, errInvalid("requests", msgMaxRequests)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &txn{snaps: map[*appDef]snapshot{}}
	results := make([]any, len(items))
	for i, it := range items {
		m, _ := it.(map[string]any)
		method, _ := scalarString(m["method"])
		api, _ := scalarString(m["api"])
		payload, _ := m["payload"].(map[string]any)
		sub := *q
		sub.p = params(payload)
		sub.guest, sub.preview, sub.resource = 0, false, ""
		var op writeOp
		e := sub.parsePath(api)
		if e == nil {
			switch strings.ToUpper(method) + " " + sub.resource {
			case "POST record":
				op = s.opAddRecord
			case "PUT record":
				op = s.opUpdateRecord
			case "POST records":
				op = s.opAddRecords
			case "PUT records":
				op = s.opUpdateRecords
			case "DELETE records":
				op = s.opDeleteRecords
			case "PUT record/status": // process.go
				op = s.opStatus
			case "PUT records/status":
				op = s.opStatuses
			case "PUT record/assignees":
				op = s.opAssignees
			default:
				e = errInvalid("requests["+strconv.Itoa(i)+"].api", text{"This API cannot be used in bulkRequest.", "bulkRequestでは使用できないAPIです。"})
			}
		} else {
			e = errInvalid("requests["+strconv.Itoa(i)+"].api", msgNotFound)
		}
		var out any
		if e == nil {
			out, e = op(t, &sub, params(payload))
		}
		if e != nil {
			t.rollback()
			for j := range results {
				results[j] = map[string]any{}
			}
			results[i] = s.errorBody(q.lang, e)
			return nil, &apiError{status: s.statusFor(e), code: e.code, bulk: map[string]any{"results": results}}
		}
		results[i] = out
	}
	return map[string]any{"results": results}, nil
}
