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
	if err := parse(fs, args); err != nil {
		return err
	}
	if in.PartnerName == "" || in.AdminEmail == "" {
		return usageError{msg: "bootstrap: --partner and --email are required"}
	}
	db, err := openConfigured(ctx, cfg, sqldb.Options{}, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Bootstrap(ctx, in)
	if err != nil {
		return explain(err)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"partnerId":      res.Partner.ID,
		"partnerName":    res.Partner.Name,
		"adminId":        res.Admin.ID,
		"adminEmail":     res.Admin.Email,
		"subscriptionId": res.Subscription.ID,
		"token":          res.Token,
		"scopes":         tenantry.AllScopes,
	})
}

// explain renders a domain error for a person at a terminal, in English.
func explain(err error) error {
	e := tenantry.AsError(err)
	if e.Code == tenantry.EINTERNAL {
		return err
	}
	tr, terr := locale.New()
	if terr != nil {
		return err
	}
	msg := tr.Message("en", e.Reason, e.Params)
	for _, p := range e.Problems {
		params := map[string]string{"field": p.Field}
		for k, v := range p.Params {
			params[k] = v
		}
		msg += "\n  " + tr.Message("en", p.Reason, params)
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
	db, err := openConfigured(ctx, cfg, sqldb.Options{}, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "create":
		p, err := db.CreateSubPartner(ctx, parent, name)
		if err != nil {
			return explain(err)
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"orgId": p.ID, "name": p.Name, "provisioningState": p.ProvisioningState})
	case "suspend", "activate":
		state := tenantry.PartnerSuspended
		if args[0] == "activate" {
			state = tenantry.PartnerActive
		}
		if err := db.SetSubPartnerState(ctx, parent, id, state); err != nil {
			return explain(err)
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"orgId": id, "provisioningState": state})
	}
	return usageError{msg: "subpartner: want create, suspend or activate"}
}
