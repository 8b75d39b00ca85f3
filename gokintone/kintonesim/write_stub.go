package kintonesim

func (s *Server) postRecord(q *request) (any, *apiError)    { return nil, nil }
func (s *Server) putRecord(q *request) (any, *apiError)     { return nil, nil }
func (s *Server) postRecords(q *request) (any, *apiError)   { return nil, nil }
func (s *Server) putRecords(q *request) (any, *apiError)    { return nil, nil }
func (s *Server) deleteRecords(q *request) (any, *apiError) { return nil, nil }
func (s *Server) bulkRequest(q *request) (any, *apiError)   { return nil, nil }
func (s *Server) postCursor(q *request) (any, *apiError)    { return nil, nil }
func (s *Server) getCursor(q *request) (any, *apiError)     { return nil, nil }
func (s *Server) deleteCursor(q *request) (any, *apiError)  { return nil, nil }

type cursor struct{}
