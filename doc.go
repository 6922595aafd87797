// Package tenantry is the domain of Tenantry, a self-hosted partner hub for
// wholesale cloud-communications providers.
//
// It holds the nouns of the product (partners, sub-partners, subscriptions,
// onboarding templates, customers and their packages), every rule of the
// product brief that can be checked without a database, the closed set of
// error codes, and the interfaces the adapters implement. It imports only the
// standard library; storage (sqldb), the background pipeline (provision) and
// the HTTP surfaces (api) depend on it, never the other way round.
package tenantry
