package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
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
	if len(args) == 0 || args[0] != "users" {
		return usageError{msg: "import: want 'import users --customer ID FILE.csv'"}
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
	loc, err := c.upload(ctx, u, f)
	if err != nil {
		return err
	}
	var bar *progressbar.ProgressBar
	var im importStatus
	for {
		if im, err = c.status(ctx, loc); err != nil {
			return err
		}
		if bar == nil {
			bar = progressbar.NewOptions(im.Total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing"),
				progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(50*time.Millisecond),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
		}
		bar.Set(im.Done)
		if im.Status == "completed" || im.Status == "failed" {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(*poll):
		}
	}
	bar.Finish()
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
		fmt.Fprintf(stdout, "  line %d, %s: %s\n", e.Row, e.Field, e.Message)
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

// upload posts the file and returns the import's URL.
func (c *importClient) upload(ctx context.Context, u string, file io.Reader) (string, error) {
	resp, body, err := c.do(ctx, "POST", u, file)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusAccepted {
		return "", apiError(resp, body)
	}
	var acc struct{ URL string }
	if err := json.Unmarshal(body, &acc); err != nil || acc.URL == "" {
		return "", fmt.Errorf("unexpected answer to the upload: %s", body)
	}
	return acc.URL, nil
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
