package tenantry

import (
	"context"
	"time"
)

// MailKind names one of the mails Tenantry sends.
type MailKind string

// The mails Tenantry sends. Each is written in the customer's language with
// the template's brand name.
const (
	// MailAdminInvitation invites a customer admin to the organization. When
	// an existing organization is attached, it goes only if the template
	// allows admin-invite emails (rule T4).
	MailAdminInvitation MailKind = "customer_admin_invitation"
	// MailWelcome welcomes an end user; never a customer admin (rule U5).
	MailWelcome MailKind = "welcome"
	// MailE911Confirmation tells users and admins of US and Canadian
	// customers that emergency calling is on (rule U6). The template's email
	// settings do not control it.
	MailE911Confirmation MailKind = "e911_confirmation"
	// MailConsent asks the owner of an address that already has an account
	// elsewhere to agree to its move (rule U3).
	MailConsent MailKind = "consent"
	// MailPartnerAdminInvitation invites a partner admin to the hub: its
	// one-time link lets them choose a password (PartnerAdminService). It
	// concerns no customer: BrandName is the partner's name.
	MailPartnerAdminInvitation MailKind = "partner_admin_invitation"
)

// MailKinds lists every kind of mail.
var MailKinds = []MailKind{MailAdminInvitation, MailWelcome, MailE911Confirmation, MailConsent, MailPartnerAdminInvitation}

// MailStatus is where a message is in the outbox.
type MailStatus string

// A message is queued until the sender delivers it (sent) or gives up on it
// (failed, after repeated permanent refusals by the SMTP server).
const (
	MailQueued MailStatus = "queued"
	MailSent   MailStatus = "sent"
	MailFailed MailStatus = "failed"
)

// MailStatuses lists every status.
var MailStatuses = []MailStatus{MailQueued, MailSent, MailFailed}

// Message is one mail in the outbox, rendered when it was queued: what is
// stored is exactly what the recipient gets, however often delivery is
// retried.
type Message struct {
	ID         string
	PartnerID  string // the partner (or sub-partner) whose customer it concerns
	CustomerID string
	Kind       MailKind
	To         string
	Language   string // one of EmailLanguages: the language it was written in
	FromName   string // the sender's display name: the template's brand name
	Subject    string
	Text       string
	HTML       string
	Status     MailStatus
	Attempts   int    // delivery attempts so far
	LastError  string // why the last attempt failed
	// NextAttempt is when the sender may try (again): a queued message is
	// due from then on.
	NextAttempt time.Time
	Created     time.Time
	Sent        time.Time // zero until sent
	// Key, when set, makes queueing idempotent: a second message with the
	// same key is not queued, so a job that runs twice mails once. It is
	// only read when queueing; messages read from the outbox leave it empty.
	Key string
}

// MailData is what a mail tells, as plain text: the renderer escapes it for
// HTML. Which fields a kind uses, and which it needs, is for the renderer to
// say.
type MailData struct {
	BrandName      string // the template's brand name; every mail carries it
	RecipientName  string // empty: a greeting without a name
	RecipientEmail string
	CustomerName   string
	Link           string // the mail's main action: get started, check the address, consent
	// ApproveURL and RejectURL let a customer admin approve or reject the
	// attachment of an existing organization (rule C7).
	ApproveURL string
	RejectURL  string
	// Assistance is what a setup-assistance request tells (MailAssistance).
	Assistance *AssistanceMail `json:",omitempty"`
}

// MailAllowed applies the rules about who may get a mail of kind: a welcome
// never goes to a customer admin (U5), and the E911 confirmation only where
// E911 applies (U6, E911Applies). country is the customer's; admin says
// whether the recipient is one of its admins; held lists every package the
// recipient holds in the customer, as a user and as an admin.
func MailAllowed(kind MailKind, country string, admin bool, held []Package) bool {
	switch kind {
	case MailWelcome:
		return !admin
	case MailE911Confirmation:
		return E911Applies(country, held)
	}
	return true
}

// E911Applies reports whether a person holding pkgs in a customer of
// country is covered by the emergency-services (E911) provider (rule U6):
// E911 applies where calling does, to users and admins with a calling
// package in the US and Canada. A meetings-only user has no number to call
// from and gets no E911 confirmation.
func E911Applies(country string, pkgs []Package) bool {
	return E911Required(country) && HasCalling(pkgs)
}

// E911MailKey is the outbox key of the E911 confirmation to email in
// customerID: one mail per person and customer (rule U6), so that an admin
// who is also a user, or a person added again, is not told twice.
func E911MailKey(customerID, email string) string {
	return "e911/" + customerID + "/" + NormalizeEmail(email)
}

// ProvisioningMails decides what the first customer admin of a newly
// provisioned customer gets: the invitation, unless an existing
// organization was attached with a template that does not allow admin-invite
// emails (T4); and, where E911 applies to the package the first admin holds
// (OrgPackage: calling in the US and Canada), the separate E911
// confirmation, which no template setting controls (U6). Nothing goes out
// while the customer has no organization (held for review) or provisioning
// failed.
func ProvisioningMails(c *Customer, tpl *Template, attached bool) []MailKind {
	if c.PrimaryEmail == "" || (c.Status != StatusProvisioned && c.Status != StatusProvisionedWithErrors) {
		return nil
	}
	var out []MailKind
	if !attached || tpl.AllowAdminInviteEmails {
		out = append(out, MailAdminInvitation)
	}
	if E911Applies(c.Address.Country, []Package{OrgPackage(c)}) {
		out = append(out, MailE911Confirmation)
	}
	return out
}

// OutboxFilter selects messages in the outbox.
type OutboxFilter struct {
	Status     MailStatus // "": any
	Kind       MailKind   // "": any
	CustomerID string     // "": any
	Page
}

// OutboxService reads the mail outbox. Every method is scoped to the actor's
// organization; another partner's message is ENOTFOUND.
type OutboxService interface {
	// OutboxMessages lists messages, newest first, with the total count.
	OutboxMessages(ctx context.Context, a *Actor, f OutboxFilter) ([]*Message, int, error)
	// OutboxMessage returns one message. ENOTFOUND.
	OutboxMessage(ctx context.Context, a *Actor, id string) (*Message, error)
}

// MailQueue is the outbox as the sender works it. Several senders (in several
// processes) may share one queue: a claimed message is leased to its claimer,
// and the attempt number it was claimed with identifies the claim.
type MailQueue interface {
	// ClaimMail leases up to max queued messages that are due, for lease,
	// counting one more attempt on each. A message whose claimer dies is due
	// again when the lease ends.
	ClaimMail(ctx context.Context, max int, lease time.Duration) ([]*Message, error)
	// MarkMailSent records the delivery of a claimed message. A claim that
	// another sender has since taken over changes nothing.
	MarkMailSent(ctx context.Context, id string, attempt int) error
	// MarkMailFailed records a failed attempt: the message is due again after
	// retryIn, or failed for good when retryIn is not positive.
	MarkMailFailed(ctx context.Context, id string, attempt int, reason string, retryIn time.Duration) error
}
