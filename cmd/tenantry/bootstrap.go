package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/sqldb"
)

// bootstrap creates a partner and prints {partnerId, adminId, token, …}.
func bootstrap(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	var in tenantry.BootstrapInput
	fs := flag.NewFlagSet("bootstrap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, false)
	fs.StringVar(&in.PartnerName, "partner", "", "partner organization name (required)")
	fs.StringVar(&in.AdminEmail, "email", "", "email of its first full admin (required)")
	fs.StringVar(&in.AdminName, "name", "", "the admin's name (default: the email)")
	publicFlag(fs, &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	if in.PartnerName == "" || in.AdminEmail == "" {
		return usageError{msg: "bootstrap: --partner and --email are required"}
	}
	db, err := openConfigured(ctx, cfg, sqldb.Options{PublicURL: cfg.PublicURL}, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Bootstrap(ctx, in)
	if err != nil {
		return explain(err, map[string]string{"name": "--partner", "partnerName": "--partner", "email": "--email", "adminEmail": "--email"})
	}
	link, err := signInLink(ctx, db, res.Admin.ID)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"partnerId":      res.Partner.ID,
		"partnerName":    res.Partner.Name,
		"adminId":        res.Admin.ID,
		"adminEmail":     res.Admin.Email,
		"subscriptionId": res.Subscription.ID,
		"token":          res.Token,
		"scopes":         tenantry.KnownScopes,
		"signInUrl":      link,
	})
}

// explain renders a domain error for a person at a terminal, in English.
// names says what the command calls the domain's fields (its flags: "name"
// is "--name") and, under "resource", what a not-found error is about, so
// that no placeholder and no API field name reaches the person.
func explain(err error, names map[string]string) error {
	e := tenantry.AsError(err)
	if e.Code == tenantry.EINTERNAL {
		return err
	}
	tr, terr := locale.New()
	if terr != nil {
		return err
	}
	name := func(field string) string {
		if n, ok := names[field]; ok {
			return n
		}
		return field
	}
	params := func(base map[string]string, field string) map[string]string {
		out := map[string]string{"resource": names["resource"], "field": name(field)}
		if out["resource"] == "" {
			out["resource"] = "resource"
		}
		for k, v := range base {
			out[k] = v
		}
		if r := names["resource"]; r != "" {
			out["resource"] = r // what the person typed, not the API's noun
		}
		return out
	}
	if len(e.Problems) == 1 {
		p := e.Problems[0]
		return fmt.Errorf("%s", tr.Message("en", p.Reason, params(p.Params, p.Field)))
	}
	msg := tr.Message("en", e.Reason, params(e.Params, ""))
	for _, p := range e.Problems {
		msg += "\n  " + tr.Message("en", p.Reason, params(p.Params, p.Field))
	}
	return fmt.Errorf("%s", msg)
}

// subpartner manages sub-partners: create, suspend, activate.
func subpartner(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{msg: "subpartner: want create, suspend or activate"}
	}
	var cfg Config
	var parent, name, id string
	fs := flag.NewFlagSet("subpartner "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, false)
	fs.StringVar(&parent, "partner", "", "the parent partner's id (required)")
	fs.StringVar(&name, "name", "", "the sub-partner's name (create)")
	fs.StringVar(&id, "id", "", "the sub-partner's org id (suspend, activate)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	// Name the flags a command needs before anything else.
	need := map[string][]string{"create": {"partner", "name"}, "suspend": {"partner", "id"}, "activate": {"partner", "id"}}[args[0]]
	if need == nil {
		return usageError{msg: "subpartner: want create, suspend or activate"}
	}
	for _, f := range need {
		if fs.Lookup(f).Value.String() == "" {
			return usageError{msg: fmt.Sprintf("subpartner %s: --%s is required", args[0], f)}
		}
	}
	names := map[string]string{"resource": "partner " + parent + " (--partner)", "name": "--name", "id": "--id", "orgId": "--id"}
	db, err := openConfigured(ctx, cfg, sqldb.Options{}, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "create":
		p, err := db.CreateSubPartner(ctx, parent, name)
		if err != nil {
			return explain(err, names)
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"orgId": p.ID, "name": p.Name, "provisioningState": p.ProvisioningState})
	case "suspend", "activate":
		state := tenantry.PartnerSuspended
		if args[0] == "activate" {
			state = tenantry.PartnerActive
		}
		if err := db.SetSubPartnerState(ctx, parent, id, state); err != nil {
			names["resource"] = "sub-partner " + id + " (--id) of partner " + parent
			return explain(err, names)
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"orgId": id, "provisioningState": state})
	}
	return usageError{msg: "subpartner: want create, suspend or activate"}
}
