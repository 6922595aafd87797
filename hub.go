package tenantry

import (
	"context"
	"slices"
	"time"
)

// The hub's browser sign-in. Admins sign in with an email and a password;
// a session is a random token held in a cookie and stored hashed. One-time
// links (a first-run setup link, a sign-in link where an admin sets a
// password) are random tokens stored hashed too; they expire and work once.

// Link kinds.
const (
	LinkSetup  = "setup"   // first run: creates the partner and its first admin
	LinkSignIn = "sign_in" // an existing admin sets a password and signs in
)

// Limits of the hub's sign-in.
const (
	MinPassword   = 10
	MaxPassword   = 256
	MaxAdminName  = 255
	LinkLifetime  = 24 * time.Hour
	SessionIdle   = 12 * time.Hour // a session unused this long ends
	MaxDraftBytes = 64 << 10
)

// SetupInput is what the first-run setup page asks for.
type SetupInput struct {
	PartnerName string
	AdminName   string
	AdminEmail  string
	Password    string
}

// Validate checks the setup form; Bootstrap checks the rest.
func (in *SetupInput) Validate() []Problem {
	var ps problems
	requireText(&ps, "partner", in.PartnerName, 255)
	requireText(&ps, "name", in.AdminName, MaxAdminName)
	if !ValidEmail(in.AdminEmail) {
		ps.add("email", ReasonInvalidEmail)
	}
	checkPassword(&ps, "password", in.Password)
	return ps
}

// CheckPassword returns the problem with a new password, if any.
func CheckPassword(field, password string) []Problem {
	var ps problems
	checkPassword(&ps, field, password)
	return ps
}

func checkPassword(ps *problems, field, pw string) {
	n := len([]rune(pw))
	switch {
	case n < MinPassword:
		ps.add(field, ReasonPasswordShort, "count", itoa(MinPassword))
	case len(pw) > MaxPassword:
		ps.add(field, ReasonTooLong, "max", itoa(MaxPassword))
	}
}

// Session is a signed-in browser: the admin and, for the hub's wizards, the
// hash that keys its drafts.
type Session struct {
	Hash  string
	Admin *PartnerAdmin
	// Language is the hub language the admin chose, "" until one is chosen
	// (the browser's Accept-Language decides until then).
	Language string
	// SubPartnerID is the sub-partner the admin chose to act for in the
	// hub, "" when acting for its own partner.
	SubPartnerID string
}

// HubService stores what the hub needs beyond the domain's services:
// passwords, sessions, one-time links, wizard drafts and the admins' chosen
// language.
type HubService interface {
	// NeedsSetup reports whether no partner exists yet.
	NeedsSetup(ctx context.Context) (bool, error)
	// CreateSetupLink returns a new one-time first-run setup token.
	CreateSetupLink(ctx context.Context) (string, error)
	// CheckLink reports the admin a link is for ("" for a setup link).
	// ENOTFOUND (ReasonLinkInvalid) when unknown, used or expired.
	CheckLink(ctx context.Context, kind, token string) (*PartnerAdmin, error)
	// CompleteSetup uses a setup link: it bootstraps the partner and its
	// first full admin with a password in one transaction. ENOTFOUND
	// (ReasonLinkInvalid), EINVALID, ECONFLICT (a partner exists already).
	CompleteSetup(ctx context.Context, token string, in SetupInput) (*BootstrapResult, error)
	// CreateSignInLink returns a new one-time link token for the admin with
	// that email (of a top-level partner). ENOTFOUND.
	CreateSignInLink(ctx context.Context, adminID string) (string, error)
	// UseSignInLink sets the admin's password and uses the link.
	// ENOTFOUND (ReasonLinkInvalid), EINVALID.
	UseSignInLink(ctx context.Context, token, password string) (*PartnerAdmin, error)
	// AdminsByEmail returns the admins of top-level partners with that email.
	AdminsByEmail(ctx context.Context, email string) ([]*PartnerAdmin, error)
	// SignIn checks an email and password. EUNAUTHORIZED
	// (ReasonSignInFailed) whatever was wrong.
	SignIn(ctx context.Context, email, password string) (*PartnerAdmin, error)
	// CreateSession starts a session and returns its token.
	CreateSession(ctx context.Context, adminID string) (string, error)
	// Session resolves a session token and marks it used. EUNAUTHORIZED
	// when unknown or idle too long.
	Session(ctx context.Context, token string) (*Session, error)
	// SessionLanguage returns the hub language the admin of a live session
	// chose ("" when none was chosen, or when the token is no live
	// session's). Unlike Session it only reads: the session is not marked
	// used, nor an idle one ended.
	SessionLanguage(ctx context.Context, token string) (string, error)
	// EndSession deletes a session (and its drafts).
	EndSession(ctx context.Context, token string) error
	// SetSessionSubPartner records the sub-partner a session acts for
	// ("" for the admin's own partner); the caller checks it is one.
	SetSessionSubPartner(ctx context.Context, sessionHash, subPartnerID string) error
	// SetAdminLanguage remembers the hub language an admin chose.
	SetAdminLanguage(ctx context.Context, adminID, lang string) error
	// Draft returns a wizard's saved state ("" when none).
	Draft(ctx context.Context, sessionHash, kind string) (string, error)
	// SaveDraft stores a wizard's state; "" deletes it.
	SaveDraft(ctx context.Context, sessionHash, kind, data string) error
	// LocationConfirmation returns when and by whom a customer's
	// supported-location confirmation was given in the hub (zero when none).
	LocationConfirmation(ctx context.Context, a *Actor, customerID string) (adminID string, at time.Time, err error)
}

// Countries returns every assigned ISO 3166-1 alpha-2 code, sorted.
func Countries() []string {
	out := make([]string, 0, len(isoCountries))
	for c := range isoCountries {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
