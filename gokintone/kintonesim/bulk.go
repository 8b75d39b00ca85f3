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
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	t := s.st.begin()
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
				op = (*txn).addRecord
			case "PUT record":
				op = (*txn).updateRecord
			case "POST records":
				op = (*txn).addRecords
			case "PUT records":
				op = (*txn).updateRecords
			case "DELETE records":
				op = (*txn).deleteRecords
			case "PUT record/status": // process.go
				op = (*txn).setStatus
			case "PUT records/status":
				op = (*txn).setStatuses
			case "PUT record/assignees":
				op = (*txn).setAssignees
			default:
				e = errInvalid("requests["+strconv.Itoa(i)+"].api", text{"This API cannot be used in bulkRequest.", "bulkRequestでは使用できないAPIです。"})
			}
		} else {
			e = errInvalid("requests["+strconv.Itoa(i)+"].api", msgNotFound)
		}
		var out any
		if e == nil {
			out, e = op(t, &sub.caller, params(payload))
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
