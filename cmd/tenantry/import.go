package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// importUsers uploads a CSV file of users through the API, follows the
// import with a progress bar and prints its outcome and row errors. It
// fails when the file is refused or the import fails.
func importUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "status" {
		return importStatusCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "users" {
		return usageError{msg: "import: want 'import users --customer ID FILE.csv' or 'import status --customer ID IMPORT_ID'"}
	}
	fs := flag.NewFlagSet("import users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	customer := fs.String("customer", "", "id of the customer to import the users into (required)")
	dryRun := fs.Bool("dry-run", false, "check every row, also against the database, and create nothing")
	base := fs.String("url", env("TENANTRY_URL", "http://127.0.0.1:8080"), "base URL of the Tenantry API (TENANTRY_URL)")
	token := fs.String("token", env("TENANTRY_TOKEN", ""), "API token (TENANTRY_TOKEN)")
	lang := fs.String("lang", env("LANG", ""), "language of the row errors (an Accept-Language value)")
	poll := fs.Duration("poll", 100*time.Millisecond, "how often to read the import's progress")
	// The file may come before or after the flags.
	var files []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return parseError(err)
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(files) != 1:
		return usageError{msg: "import users: want exactly one FILE.csv"}
	case *customer == "":
		return usageError{msg: "import users: --customer is required"}
	case *token == "":
		return usageError{msg: "import users: --token or TENANTRY_TOKEN is required"}
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	c := &importClient{base: strings.TrimRight(*base, "/"), token: *token, lang: strings.ReplaceAll(strings.Split(*lang, ".")[0], "_", "-"),
		http: &http.Client{Timeout: 5 * time.Minute}}
	u := c.base + "/v1/wholesale/customers/" + url.PathEscape(*customer) + "/imports"
	if *dryRun {
		u += "?dryRun=true"
	}
	loc, id, err := c.upload(ctx, u, f)
	if err != nil {
		return err
	}
	return c.follow(ctx, loc, importFollowCommand(c.base, *customer, id), *poll, stdout, stderr)
}

// importStatusCmd follows an import started earlier (by a CLI that lost
// its connection, say) until it ends, as import users does.
func importStatusCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	customer := fs.String("customer", "", "id of the customer the import is for (required)")
	base := fs.String("url", env("TENANTRY_URL", "http://127.0.0.1:8080"), "base URL of the Tenantry API (TENANTRY_URL)")
	token := fs.String("token", env("TENANTRY_TOKEN", ""), "API token (TENANTRY_TOKEN)")
	lang := fs.String("lang", env("LANG", ""), "language of the row errors (an Accept-Language value)")
	poll := fs.Duration("poll", 100*time.Millisecond, "how often to read the import's progress")
	var ids []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return parseError(err)
		}
		if fs.NArg() == 0 {
			break
		}
		ids, rest = append(ids, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(ids) != 1:
		return usageError{msg: "import status: want exactly one IMPORT_ID"}
	case *customer == "":
		return usageError{msg: "import status: --customer is required"}
	case *token == "":
		return usageError{msg: "import status: --token or TENANTRY_TOKEN is required"}
	}
	c := &importClient{base: strings.TrimRight(*base, "/"), token: *token, lang: strings.ReplaceAll(strings.Split(*lang, ".")[0], "_", "-"),
		http: &http.Client{Timeout: time.Minute}}
	loc := c.base + "/v1/wholesale/customers/" + url.PathEscape(*customer) + "/imports/" + url.PathEscape(ids[0])
	return c.follow(ctx, loc, importFollowCommand(c.base, *customer, ids[0]), *poll, stdout, stderr)
}

// importFollowCommand is the command that follows an import again.
func importFollowCommand(base, customer, id string) string {
	return fmt.Sprintf("tenantry import status --url %s --customer %s %s", base, customer, id)
}

// reattachFor is how long follow keeps trying to reach the server again
// after the connection dropped, before it gives up (the import goes on).
const reattachFor = 2 * time.Minute

// follow shows an import's progress until it ends, then its outcome and
// row errors. On a terminal the progress is a bar; elsewhere (a file, a
// pipe) it is a plain line now and then. When the server cannot be
// reached, it says that the import goes on and how to follow it, and
// keeps trying for a while.
func (c *importClient) follow(ctx context.Context, loc, again string, poll time.Duration, stdout, stderr io.Writer) error {
	var bar *progressbar.ProgressBar
	var im importStatus
	var err error
	tty := isTerminal(stderr)
	var lost time.Time
	lastDone, lastLine := -1, time.Time{}
	for {
		im, err = c.status(ctx, loc)
		var netErr net.Error
		switch {
		case err != nil && errors.As(err, &netErr) || err != nil && errors.Is(err, io.ErrUnexpectedEOF) || err != nil && strings.Contains(err.Error(), "connection refused"):
			if lost.IsZero() {
				lost = time.Now()
				fmt.Fprintf(stderr, "\nlost the connection to the server (%v).\nThe import goes on in the server; trying to reach it again. To follow it later:\n  %s\n", err, again)
			} else if time.Since(lost) > reattachFor {
				return fmt.Errorf("the server could not be reached for %v; the import goes on there. Follow it with:\n  %s", reattachFor, again)
			}
		case err != nil:
			return err
		default:
			if !lost.IsZero() {
				fmt.Fprintln(stderr, "reached the server again")
				lost = time.Time{}
			}
			if tty {
				if bar == nil {
					bar = progressbar.NewOptions(im.Total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing"),
						progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(50*time.Millisecond),
						progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
				}
				bar.Set(im.Done)
			} else if im.Done != lastDone && (time.Since(lastLine) >= time.Second || im.Done == im.Total) {
				fmt.Fprintf(stderr, "importing: %d of %d rows done\n", im.Done, im.Total)
				lastDone, lastLine = im.Done, time.Now()
			}
		}
		if err == nil && (im.Status == "completed" || im.Status == "failed") {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
	if bar != nil {
		bar.Finish()
	}
	rows := map[int]bool{}
	for _, e := range im.Errors {
		rows[e.Row] = true
	}
	verb := "created"
	if im.DryRun {
		verb = "would be created (dry run: nothing was written)"
	}
	created := im.Created
	if im.DryRun {
		created = im.Done - len(rows)
	}
	fmt.Fprintf(stdout, "import %s: %s; %d of %d rows done; %d users %s; %d rows refused\n",
		im.ID, im.Status, im.Done, im.Total, created, verb, len(rows))
	for _, e := range im.Errors {
		if strings.Contains(e.Message, e.Field) {
			// The message names its field already.
			fmt.Fprintf(stdout, "  line %d: %s\n", e.Row, e.Message)
		} else {
			fmt.Fprintf(stdout, "  line %d, %s: %s\n", e.Row, e.Field, e.Message)
		}
	}
	if im.Status == "failed" {
		return fmt.Errorf("import %s failed", im.ID)
	}
	return nil
}

type importClient struct {
	base, token, lang string
	http              *http.Client
}

type importStatus struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	DryRun  bool   `json:"dryRun"`
	Total   int    `json:"total"`
	Done    int    `json:"done"`
	Created int    `json:"created"`
	Errors  []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (c *importClient) do(ctx context.Context, method, u string, body io.Reader) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "text/csv")
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// upload posts the file and returns the import's URL and id.
func (c *importClient) upload(ctx context.Context, u string, file io.Reader) (string, string, error) {
	resp, body, err := c.do(ctx, "POST", u, file)
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusAccepted {
		return "", "", apiError(resp, body)
	}
	var acc struct{ ID, URL string }
	if err := json.Unmarshal(body, &acc); err != nil || acc.URL == "" {
		return "", "", fmt.Errorf("unexpected answer to the upload: %s", body)
	}
	return acc.URL, acc.ID, nil
}

// isTerminal reports whether w is a terminal, where a progress bar can
// redraw itself; a file or a pipe gets plain lines instead.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (c *importClient) status(ctx context.Context, u string) (importStatus, error) {
	var im importStatus
	resp, body, err := c.do(ctx, "GET", u, nil)
	if err != nil {
		return im, err
	}
	if resp.StatusCode != http.StatusOK {
		return im, apiError(resp, body)
	}
	return im, json.Unmarshal(body, &im)
}

// apiError is the API's error body as one error: the message and each
// error's description.
func apiError(resp *http.Response, body []byte) error {
	var e struct {
		Message string
		Errors  []struct{ Description string }
	}
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	msg := e.Message
	for _, x := range e.Errors {
		if x.Description != e.Message {
			msg += "\n  " + x.Description
		}
	}
	return fmt.Errorf("%s: %s", resp.Status, msg)
}
