package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
)

// announceSetup prints a one-time setup link when the database has no
// partner yet: opening it is all a newcomer needs to start.
func announceSetup(ctx context.Context, db *sqldb.DB, stderr io.Writer, log *slog.Logger) error {
	needs, err := db.NeedsSetup(ctx)
	if err != nil || !needs {
		return err
	}
	token, err := db.CreateSetupLink(ctx)
	if err != nil {
		return err
	}
	link := hubURL(db.PublicURL(), "/setup/"+token)
	fmt.Fprintf(stderr, "Tenantry is not set up yet: open %s to create your partner organization and first admin.\n", link)
	log.Info("first-run setup link", "url", link)
	return nil
}

// hubURL joins the public URL and a path of the hub.
func hubURL(public, path string) string {
	return strings.TrimRight(public, "/") + path
}

// signInLink makes a one-time sign-in link for an admin.
func signInLink(ctx context.Context, db *sqldb.DB, adminID string) (string, error) {
	token, err := db.CreateSignInLink(ctx, adminID)
	if err != nil {
		return "", err
	}
	return hubURL(db.PublicURL(), "/link/"+token), nil
}

// admin manages partner admins: "admin link --email X" prints a fresh
// one-time sign-in link (valid 24 hours) where the admin sets a password.
func admin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "link" {
		return usageError{msg: "admin: want link --email EMAIL"}
	}
	var cfg Config
	var email string
	fs := flag.NewFlagSet("admin link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, false)
	publicFlag(fs, &cfg)
	fs.StringVar(&email, "email", "", "the admin's email (required)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if email == "" {
		return usageError{msg: "admin link: --email is required"}
	}
	db, err := sqldb.Open(ctx, cfg.DatabaseURL, sqldb.Options{PublicURL: cfg.PublicURL})
	if err != nil {
		return err
	}
	defer db.Close()
	admins, err := db.AdminsByEmail(ctx, email)
	if err != nil {
		return err
	}
	if len(admins) == 0 {
		return explain(tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "admin"), map[string]string{"email": "--email"})
	}
	out := make([]map[string]string, 0, len(admins))
	for _, a := range admins {
		link, err := signInLink(ctx, db, a.ID)
		if err != nil {
			return err
		}
		out = append(out, map[string]string{"adminId": a.ID, "partnerId": a.PartnerID, "email": a.Email, "signInUrl": link})
	}
	enc := json.NewEncoder(stdout)
	if len(out) == 1 {
		return enc.Encode(out[0])
	}
	return enc.Encode(out)
}

// publicFlag declares --public-url for commands that print links.
func publicFlag(fs *flag.FlagSet, cfg *Config) {
	fs.StringVar(&cfg.PublicURL, "public-url", env("TENANTRY_PUBLIC_URL", sqldb.DefaultPublicURL), "URL the hub is reached at, for the links printed (TENANTRY_PUBLIC_URL)")
}
