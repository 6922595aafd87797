package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/sqldb"
)

// maxDirectoryErrors is how many row errors the import prints; the rest
// are counted.
const maxDirectoryErrors = 100

// directory runs `directory import FILE...`: it reads directory files of
// existing organizations and free accounts (JSON or CSV), checks every row
// and writes them all in one transaction, or none when any row is bad.
func directory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return usageError{msg: "directory: want 'directory import [--dry-run] FILE...'"}
	}
	var cfg Config
	fs := flag.NewFlagSet("directory import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: tenantry directory import [flags] FILE...

Imports existing organizations (org id, name, users, verified and claimed
domains, legacy packages) and existing free accounts (email, name) from JSON
or CSV files, so that rules C7 (approval to attach), U3 (consent of a free
account's owner) and Q8 (no quantities while migrating) apply to them. Every
row is checked first; nothing is written when any row is bad. Importing the
same file again changes nothing (upsert by org id and by email). The README
describes the formats.

Flags:
`)
		fs.PrintDefaults()
	}
	cfg.flags(fs, false)
	dryRun := fs.Bool("dry-run", false, "check the files and count what would change, writing nothing")
	lang := fs.String("lang", env("LANG", ""), "language of the row errors (an Accept-Language value)")
	// The files may come before or after the flags.
	var files []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{msg: err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) == 0 {
		return usageError{msg: "directory import: want at least one FILE (.json or .csv)"}
	}
	tr, err := locale.New()
	if err != nil {
		return err
	}
	language := tr.Match(strings.ReplaceAll(strings.Split(*lang, ".")[0], "_", "-"))

	var ds []*tenantry.Directory
	var problems []tenantry.DirectoryError
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		d, errs := tenantry.ParseDirectory(name, data)
		ds, problems = append(ds, d), append(problems, errs...)
	}
	problems = append(problems, tenantry.CheckDirectory(files, ds)...)
	if len(problems) > 0 {
		for i, p := range problems {
			if i == maxDirectoryErrors {
				fmt.Fprintf(stdout, "… and %d more\n", len(problems)-i)
				break
			}
			params := map[string]string{"field": p.Field}
			for k, v := range p.Params {
				params[k] = v
			}
			// The message names the field (row.field in JSON, the column in CSV).
			fmt.Fprintf(stdout, "%s: line %d: %s\n", p.File, p.Line, tr.Message(language, p.Reason, params))
		}
		return fmt.Errorf("directory import: %d problems; nothing was imported", len(problems))
	}

	db, err := sqldb.Open(ctx, cfg.DatabaseURL, sqldb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.ImportDirectory(ctx, ds, *dryRun)
	if err != nil {
		return explain(err, nil)
	}
	verb := "imported"
	if *dryRun {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %d organizations (%d new, %d updated) and %d free accounts (%d new, %d updated)\n", verb,
		res.OrgsCreated+res.OrgsUpdated, res.OrgsCreated, res.OrgsUpdated,
		res.FreeAccountsCreated+res.FreeAccountsUpdated, res.FreeAccountsCreated, res.FreeAccountsUpdated)
	return nil
}
