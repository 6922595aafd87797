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
	"strconv"
	"syscall"
	"time"

	"github.com/tenantry/tenantry/mail"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage: tenantry <command> [flags]

Commands:
  serve       run the hub and its API (default SQLite file under ./data)
  migrate     bring the database schema up to date and exit
  bootstrap   create a partner, its first admin and an API token
  subpartner  create, suspend or reactivate a sub-partner
  admin       admin link --email EMAIL: print a one-time sign-in link for the hub
  import      import users from a CSV file through the API:
              import users --customer ID [--dry-run] [--url URL] [--token T] FILE.csv
  bench       measure throughput: bench customers -n N, bench import -n N, bench lists -n N

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
	case "admin":
		err = admin(ctx, args[1:], stdout, stderr)
	case "import":
		err = importUsers(ctx, args[1:], stdout, stderr)
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
		fmt.Fprintln(stderr, "tenantry:", err)
		return 2
	}
	fmt.Fprintln(stderr, "tenantry:", err)
	return 1
}

type usageError struct{ msg string }

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
	PublicURL       string // where the server is reached from outside: links in mail
	Mail            mail.Config
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
	fs.StringVar(&c.PublicURL, "public-url", env("TENANTRY_PUBLIC_URL", "http://127.0.0.1:8080"), "URL the server is reached at from outside, for links in mail (TENANTRY_PUBLIC_URL)")
	fs.IntVar(&c.Workers, "workers", envInt("TENANTRY_WORKERS", 100), "background jobs run at once; 0 runs none (TENANTRY_WORKERS)")
	fs.DurationVar(&c.JobTimeout, "job-timeout", envDuration("TENANTRY_JOB_TIMEOUT", 30*time.Second), "longest one job attempt may run (TENANTRY_JOB_TIMEOUT)")
	fs.DurationVar(&c.RescueAfter, "job-rescue-after", envDuration("TENANTRY_JOB_RESCUE_AFTER", 45*time.Second), "when a job whose process died is taken over (TENANTRY_JOB_RESCUE_AFTER)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", envDuration("TENANTRY_SHUTDOWN_TIMEOUT", 30*time.Second), "how long shutdown waits for requests and jobs (TENANTRY_SHUTDOWN_TIMEOUT)")
	c.Mail.Flags(fs) // --smtp-url / TENANTRY_SMTP_URL, --mail-from / TENANTRY_MAIL_FROM
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
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}
