// Command tenantry is the single binary of Tenantry: it serves the hub and
// its API, migrates the database, bootstraps partners and measures itself.
// It is the only place that wires the packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
	"github.com/tenantry/tenantry/sqldb"
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage: tenantry <command> [flags]

Commands:
  serve       run the hub and its API (default SQLite file data/tenantry.db,
              relative to the working directory; --database-url to choose)
  migrate     bring the database schema up to date and exit
  bootstrap   create a partner, its first admin and an API token
  subpartner  create, suspend or reactivate a sub-partner
  token       manage a partner's API tokens:
              token create --partner ID --name N --scope S [--scope S…] [--expires-in 720h]
              token list --partner ID
              token revoke --partner ID --token ID
  admin       admin link --email EMAIL: print a one-time sign-in link for the hub
  import      import users from a CSV file through the API:
              import users --customer ID [--dry-run] [--url URL] [--token T] FILE.csv
  directory   import existing organizations and free accounts (JSON or CSV):
              directory import [--dry-run] FILE...
  backup      copy the SQLite database while serve runs: backup FILE
              (on PostgreSQL it prints the pg_dump command to use)
  restore     replace the SQLite database with a backup: restore FILE
              (refused while any process has the database open)
  bench       measure throughput: bench customers -n N [-c C] [-rate R],
              bench import -n N, bench lists -n N

Run 'tenantry <command> -h' for the flags of a command.
`

// Main runs the command line args and returns the exit status. Tests call
// it in process; ctx ending is the same as SIGINT.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stderr, nil)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "bootstrap":
		err = bootstrap(ctx, args[1:], stdout, stderr)
	case "subpartner":
		err = subpartner(ctx, args[1:], stdout, stderr)
	case "token":
		err = token(ctx, args[1:], stdout, stderr)
	case "admin":
		err = admin(ctx, args[1:], stdout, stderr)
	case "import":
		err = importUsers(ctx, args[1:], stdout, stderr)
	case "directory":
		err = directory(ctx, args[1:], stdout, stderr)
	case "backup":
		err = backup(ctx, args[1:], stdout, stderr)
	case "restore":
		err = restore(ctx, args[1:], stdout, stderr)
	case "bench":
		if len(args) > 1 && args[1] == "import" {
			err = benchImport(ctx, args[2:], stdout, stderr)
		} else if len(args) > 1 && args[1] == "lists" {
			err = benchLists(ctx, args[2:], stdout, stderr)
		} else {
			err = bench(ctx, args[1:], stdout, stderr)
		}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "tenantry: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		var ue usageError
		errors.As(err, &ue)
		if !ue.printed {
			fmt.Fprintln(stderr, "tenantry:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "tenantry:", err)
	return 1
}

// usageError is a command line the command cannot run; printed is set when
// the flag package has already told the person (with the flags' usage).
type usageError struct {
	msg     string
	printed bool
}

func (e usageError) Error() string { return e.msg }

// Config is everything the commands read from flags and TENANTRY_*
// variables; it is read once and passed down.
type Config struct {
	Addr            string
	DatabaseURL     string
	LogLevel        string
	Workers         int
	JobTimeout      time.Duration
	RescueAfter     time.Duration
	ShutdownTimeout time.Duration
	PublicURL       string // where the server is reached from outside: links in mail and API answers
	MetricsAddr     string // where /metrics is served apart from the API; "" serves it on Addr
	DrainDelay      time.Duration
	Retention       sqldb.Retention
	TrustedProxies  string        // CIDRs whose X-Forwarded-For names the client
	ApprovalLinkTTL time.Duration // how long an approval link works (rule C7)
	ConsentLinkTTL  time.Duration // how long a consent link works (rule U3)
	// WebhookAllowPrivate lets webhooks deliver to loopback, private and
	// link-local addresses and internal names.
	WebhookAllowPrivate bool
	Mail                mail.Config

	// IdempotencyLease frees an Idempotency-Key whose request died unanswered.
	IdempotencyLease time.Duration
}

// env returns the environment variable name, or def when unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(env(name, "")); err == nil {
		return n
	}
	return def
}

// envBool reads a boolean variable as strconv.ParseBool does ("1", "true",
// …), def when unset or unreadable.
func envBool(name string, def bool) bool {
	if b, err := strconv.ParseBool(env(name, "")); err == nil {
		return b
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(name, "")); err == nil {
		return d
	}
	return def
}

// DefaultDatabaseURL is where serve keeps its data with no configuration.
const DefaultDatabaseURL = "data/tenantry.db"

// flags declares the configuration flags on fs, with TENANTRY_* defaults.
func (c *Config) flags(fs *flag.FlagSet, server bool) {
	fs.StringVar(&c.DatabaseURL, "database-url", env("TENANTRY_DATABASE_URL", DefaultDatabaseURL), "SQLite file path, or postgres:// URL (TENANTRY_DATABASE_URL)")
	fs.StringVar(&c.LogLevel, "log-level", env("TENANTRY_LOG_LEVEL", "info"), "debug, info, warn or error (TENANTRY_LOG_LEVEL)")
	if !server {
		return
	}
	fs.StringVar(&c.Addr, "addr", env("TENANTRY_ADDR", "127.0.0.1:8080"), "address to listen on (TENANTRY_ADDR)")
	fs.StringVar(&c.PublicURL, "public-url", env("TENANTRY_PUBLIC_URL", ""), "URL the server is reached at from outside, for links in mail and API answers; http://ADDR listened on when empty (TENANTRY_PUBLIC_URL)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("TENANTRY_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (TENANTRY_TRUSTED_PROXIES)")
	fs.DurationVar(&c.ApprovalLinkTTL, "approval-link-ttl", envDuration("TENANTRY_APPROVAL_LINK_TTL", tenantry.DefaultApprovalLinkTTL), "how long the approval links of attach mails work, e.g. 336h (TENANTRY_APPROVAL_LINK_TTL)")
	fs.DurationVar(&c.ConsentLinkTTL, "consent-link-ttl", envDuration("TENANTRY_CONSENT_LINK_TTL", tenantry.DefaultConsentLinkTTL), "how long the links of consent mails work, e.g. 720h (TENANTRY_CONSENT_LINK_TTL)")
	fs.IntVar(&c.Workers, "workers", envInt("TENANTRY_WORKERS", 100), "background jobs run at once; 0 runs none (TENANTRY_WORKERS)")
	fs.DurationVar(&c.JobTimeout, "job-timeout", envDuration("TENANTRY_JOB_TIMEOUT", 30*time.Second), "longest one job attempt may run (TENANTRY_JOB_TIMEOUT)")
	fs.DurationVar(&c.RescueAfter, "job-rescue-after", envDuration("TENANTRY_JOB_RESCUE_AFTER", 45*time.Second), "when a job whose process died is taken over (TENANTRY_JOB_RESCUE_AFTER)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", envDuration("TENANTRY_SHUTDOWN_TIMEOUT", 30*time.Second), "how long shutdown waits for requests and jobs (TENANTRY_SHUTDOWN_TIMEOUT)")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", envBool("TENANTRY_WEBHOOK_ALLOW_PRIVATE", false), "let webhooks deliver to loopback, private and link-local addresses and internal names such as localhost (TENANTRY_WEBHOOK_ALLOW_PRIVATE)")
	fs.DurationVar(&c.IdempotencyLease, "idempotency-lease", envDuration("TENANTRY_IDEMPOTENCY_LEASE", sqldb.DefaultIdempotencyLease), "when an Idempotency-Key whose request died unanswered is free again (TENANTRY_IDEMPOTENCY_LEASE)")
	c.Mail.Flags(fs) // --smtp-url / TENANTRY_SMTP_URL, --mail-from / TENANTRY_MAIL_FROM
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("TENANTRY_METRICS_ADDR", ""), "address to serve /metrics on, apart from the API; empty serves it on --addr (TENANTRY_METRICS_ADDR)")
	fs.DurationVar(&c.Retention.Every, "prune-every", envDuration("TENANTRY_PRUNE_EVERY", time.Hour), "how often finished records are pruned; 0 never (TENANTRY_PRUNE_EVERY)")
	fs.DurationVar(&c.Retention.WebhookDeliveries, "keep-webhook-deliveries", envDuration("TENANTRY_KEEP_WEBHOOK_DELIVERIES", 30*24*time.Hour), "how long the attempts of a delivered webhook event are kept; 0 for ever (TENANTRY_KEEP_WEBHOOK_DELIVERIES)")
	fs.DurationVar(&c.Retention.IdempotencyKeys, "keep-idempotency-keys", envDuration("TENANTRY_KEEP_IDEMPOTENCY_KEYS", 7*24*time.Hour), "how long an answered Idempotency-Key replays its answer; 0 for ever (TENANTRY_KEEP_IDEMPOTENCY_KEYS)")
	fs.DurationVar(&c.Retention.Links, "keep-links", envDuration("TENANTRY_KEEP_LINKS", 30*24*time.Hour), "how long used approval and consent links are kept; 0 for ever (TENANTRY_KEEP_LINKS)")
	fs.DurationVar(&c.Retention.SentMail, "keep-sent-mail", envDuration("TENANTRY_KEEP_SENT_MAIL", 90*24*time.Hour), "how long sent mail stays in the outbox; 0 for ever (TENANTRY_KEEP_SENT_MAIL)")
	fs.DurationVar(&c.Retention.AuditLog, "keep-audit-log", envDuration("TENANTRY_KEEP_AUDIT_LOG", 0), "how long audit log entries are kept; 0 (the default) for ever (TENANTRY_KEEP_AUDIT_LOG)")
	fs.DurationVar(&c.DrainDelay, "drain-delay", envDuration("TENANTRY_DRAIN_DELAY", 0), "on shutdown, how long /readyz fails while requests are still served, before the server stops taking them (TENANTRY_DRAIN_DELAY)")
}

func (c *Config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if fs.NArg() > 0 {
		return usageError{msg: fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// parseError is the error of a FlagSet's Parse: the flag package has
// printed it already, with the usage, so Main does not print it again.
func parseError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{msg: err.Error(), printed: true}
}

// where names the database a URL points at, for a person: a SQLite file's
// absolute path (the default is relative to the working directory, so a
// command run elsewhere opens another database), or a PostgreSQL URL
// without its password.
func where(databaseURL string) string {
	if path, ok := sqldb.SQLitePath(databaseURL); ok {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return "sqlite " + path
	}
	return "postgres " + redacted(databaseURL)
}

// openConfigured opens the configured database and says on w which one it
// opened.
func openConfigured(ctx context.Context, cfg Config, opt sqldb.Options, w io.Writer) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, cfg.DatabaseURL, opt)
	if err != nil {
		return nil, fmt.Errorf("open database (%s): %w", where(cfg.DatabaseURL), err)
	}
	fmt.Fprintf(w, "tenantry: database %s\n", where(cfg.DatabaseURL))
	return db, nil
}
