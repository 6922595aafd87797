package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
)

// scopeList is a repeatable --scope flag.
type scopeList []string

func (s *scopeList) String() string { return strings.Join(*s, ",") }

func (s *scopeList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// tokenJSON is a token as the command prints it: the API's shape.
type tokenJSON struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Scopes   []string   `json:"scopes"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires,omitempty"`
	LastUsed *time.Time `json:"lastUsed,omitempty"`
	Token    string     `json:"token,omitempty"`
}

func toTokenJSON(t *tenantry.Token) tokenJSON {
	out := tokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, Created: t.Created}
	if !t.Expires.IsZero() {
		out.Expires = &t.Expires
	}
	if !t.LastUsed.IsZero() {
		out.LastUsed = &t.LastUsed
	}
	return out
}

const tokenUsage = "token: want create, list or revoke"

// token manages a partner's API tokens from the command line: create (the
// secret is printed once), list, revoke. The operator may grant any scope.
func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{msg: tokenUsage}
	}
	var cfg Config
	var partner, name, id string
	var scopes scopeList
	var expiresIn time.Duration
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, false)
	fs.StringVar(&partner, "partner", "", "the partner's id (required)")
	switch args[0] {
	case "create":
		fs.StringVar(&name, "name", "", "what the token is for (required)")
		fs.Var(&scopes, "scope", "a scope the token holds; repeat for more: "+strings.Join(tenantry.KnownScopes, ", "))
		fs.DurationVar(&expiresIn, "expires-in", 0, "lifetime, e.g. 720h; never expires when 0")
	case "revoke":
		fs.StringVar(&id, "token", "", "the token's id (required)")
	case "list":
	default:
		return usageError{msg: tokenUsage}
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if partner == "" {
		return usageError{msg: "token " + args[0] + ": --partner is required"}
	}
	if args[0] == "revoke" && id == "" {
		return usageError{msg: "token revoke: --token is required"}
	}
	if expiresIn < 0 {
		return usageError{msg: "token create: --expires-in must be positive"}
	}
	db, err := sqldb.Open(ctx, cfg.DatabaseURL, sqldb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	enc := json.NewEncoder(stdout)
	switch args[0] {
	case "create":
		in := &tenantry.TokenInput{Name: name, Scopes: scopes}
		if expiresIn > 0 {
			in.Expires = time.Now().Add(expiresIn)
		}
		tok, secret, err := db.CreateToken(ctx, partner, nil, in)
		if err != nil {
			return explain(err, tokenFlags)
		}
		out := toTokenJSON(tok)
		out.Token = secret
		return enc.Encode(out)
	case "list":
		ts, err := db.Tokens(ctx, partner)
		if err != nil {
			return explain(err, tokenFlags)
		}
		items := make([]tokenJSON, len(ts))
		for i, t := range ts {
			items[i] = toTokenJSON(t)
		}
		return enc.Encode(map[string]any{"items": items})
	}
	if err := db.RevokeToken(ctx, partner, id); err != nil {
		return explain(err, tokenFlags)
	}
	fmt.Fprintf(stdout, "{\"id\":%q,\"revoked\":true}\n", id)
	return nil
}

// tokenFlags names the flag behind each field a token command's error
// may name.
var tokenFlags = map[string]string{
	"partner": "--partner", "name": "--name", "scopes": "--scope", "expires": "--expires-in", "token": "--token", "tokenId": "--token",
}
