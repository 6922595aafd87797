package api

// outboxRoutes lists the routes of the mail outbox.
func (s *Server) outboxRoutes() []route { return nil }
