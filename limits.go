package tenantry

// MaxProblems caps the problems one error answer lists: a request with a
// hundred thousand bad entries must not get a response a hundred times its
// size. The rest are counted in one last entry (ReasonMoreErrors).
const MaxProblems = 100

// CheckEntries refuses a list field with more than max entries, before its
// entries are validated one by one: a list longer than the domain allows
// (more packages than the catalog has, more numbers than one request may
// add) is one problem naming the field and the max, not one per entry. It
// reports whether the list may be looked at entry by entry.
func CheckEntries(ps *problems, field string, n, max int) bool {
	if n <= max {
		return true
	}
	ps.add(field, ReasonTooManyEntries, "count", itoa(n), "max", itoa(max))
	return false
}
