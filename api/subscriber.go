package api

// subscriberRoutes lists the routes of subscribers.
func (s *Server) subscriberRoutes() []route { return nil }
