package api

// consentJSON is what a consent link's POST answers a JSON client: the
// decision recorded and where the user stands now (rule U3). The link's
// routes and pages are in linkpage.go.
type consentJSON struct {
	Decision string `json:"decision"`
	Status   string `json:"status"`
}
