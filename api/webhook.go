package api

// webhookRoutes lists the routes of webhooks.
func (s *Server) webhookRoutes() []route { return nil }
