package api

// locationRoutes lists the routes of locations and phone numbers.
func (s *Server) locationRoutes() []route { return nil }
