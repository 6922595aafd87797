package tenantry

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The directory is what the installation knows of the world outside
// Tenantry: existing organizations a partner may attach as customers (their
// user counts and domains decide rule C7, their legacy BroadWorks-style
// packages put the customer attached to them in a migration phase, rule
// Q8), and existing free (self-signed-up) accounts, whose owners must
// consent before a partner's customer takes their address (rule U3). An
// operator brings it in from files (ParseDirectory).

// Directory is the content of one or more directory files.
type Directory struct {
	Orgs         []DirectoryOrg
	FreeAccounts []FreeAccount
}

// DirectoryOrg is one existing organization of a directory file, with the
// file line it comes from.
type DirectoryOrg struct {
	Line int
	ExistingOrg
}

// FreeAccount is an existing free (self-signed-up) account: a user created
// with its address waits in pending_user_migration (rule U3).
type FreeAccount struct {
	Line  int
	Email string // normalized (NormalizeEmail)
	Name  string
}

// DirectoryError is one problem of a directory file: the file, the line of
// the row (the header is line 1 of a CSV file; a JSON row's line is where
// its object starts; 0 for the file as a whole), the field, and a reason
// with its params.
type DirectoryError struct {
	File   string            `json:"file"`
	Line   int               `json:"line"`
	Field  string            `json:"field"`
	Reason string            `json:"reason"`
	Params map[string]string `json:"params,omitempty"`
}

// DirectoryResult counts what an import wrote: rows new to the directory
// and rows that replaced what it knew (an import is an upsert by org id and
// by address, so importing a file again changes nothing).
type DirectoryResult struct {
	OrgsCreated, OrgsUpdated                 int
	FreeAccountsCreated, FreeAccountsUpdated int
}

// Directory field names, as the files spell them (JSON keys and CSV
// column names alike).
const (
	DirFieldOrgID           = "orgId"
	DirFieldName            = "name"
	DirFieldUsers           = "users"
	DirFieldVerifiedDomains = "verifiedDomains"
	DirFieldClaimedDomains  = "claimedDomains"
	DirFieldLegacyPackages  = "legacyPackages"
	DirFieldEmail           = "email"
)

// Limits of directory files.
const (
	MaxDirectoryRows  = MaxImportRows
	MaxDirectoryBytes = MaxImportBytes
	MaxOrgIDLength    = 255
	MaxDomainsPerOrg  = 100
)

var orgColumns = []string{DirFieldOrgID, DirFieldName, DirFieldUsers, DirFieldVerifiedDomains, DirFieldClaimedDomains, DirFieldLegacyPackages}
var accountColumns = []string{DirFieldEmail, DirFieldName}

// domainName is a DNS name of at least two labels: letters, digits and
// hyphens, no label starting or ending with a hyphen.
var domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidDomain reports whether s is a domain name such as "example.com".
func ValidDomain(s string) bool { return len(s) <= 253 && domainName.MatchString(s) }

// ParseDirectory reads one directory file, JSON or CSV: by its name's
// extension (.json, .csv), else by its content (JSON starts with "{"). It
// returns every problem of every row; a Directory with problems must not
// be imported. See the README for the formats.
func ParseDirectory(name string, data []byte) (*Directory, []DirectoryError) {
	d := &Directory{}
	var errs []DirectoryError
	fail := func(line int, field, reason string, params ...string) {
		errs = append(errs, DirectoryError{File: name, Line: line, Field: field, Reason: reason, Params: pairs(params)})
	}
	switch {
	case len(data) > MaxDirectoryBytes:
		fail(0, "file", ReasonBodyTooLarge, "max", itoa(MaxDirectoryBytes))
	case isJSON(name, data):
		parseDirectoryJSON(d, data, fail)
	default:
		parseDirectoryCSV(d, data, fail)
	}
	if len(errs) == 0 && len(d.Orgs)+len(d.FreeAccounts) == 0 {
		fail(0, "file", ReasonDirectoryEmpty)
	}
	if len(d.Orgs)+len(d.FreeAccounts) > MaxDirectoryRows {
		fail(0, "file", ReasonImportTooManyRows, "max", itoa(MaxDirectoryRows))
	}
	return d, errs
}

// CheckDirectory finds what no single file shows: an org id or an address
// listed in two files of one import (ParseDirectory reports repeats within
// a file).
func CheckDirectory(files []string, ds []*Directory) []DirectoryError {
	type seen struct {
		file int
		at   string
	}
	var errs []DirectoryError
	orgs, accounts := map[string]seen{}, map[string]seen{}
	check := func(m map[string]seen, i, line int, key, field string) {
		if s, ok := m[key]; ok {
			if s.file != i {
				errs = append(errs, DirectoryError{File: files[i], Line: line, Field: field, Reason: ReasonImportRepeated,
					Params: map[string]string{"value": key, "detail": s.at}})
			}
			return
		}
		m[key] = seen{i, files[i] + ":" + itoa(line)}
	}
	for i, d := range ds {
		for _, o := range d.Orgs {
			check(orgs, i, o.Line, o.OrgID, DirFieldOrgID)
		}
		for _, a := range d.FreeAccounts {
			check(accounts, i, a.Line, a.Email, DirFieldEmail)
		}
	}
	return errs
}

func isJSON(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return true
	case ".csv":
		return false
	}
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] == '{'
}

// rowCheck validates rows as they are read and remembers the keys seen, so
// that a repeated org id or address names the line of its first use.
type rowCheck struct {
	orgs, accounts map[string]int
	fail           func(line int, field, reason string, params ...string)
}

// org validates one organization; field names a problem's place as the
// file spells it (prefix "" for CSV columns, "organizations[3]." in JSON).
func (rc *rowCheck) org(d *Directory, line int, prefix string, o ExistingOrg, users string) {
	var ps problems
	o.OrgID, o.Name = strings.TrimSpace(o.OrgID), strings.TrimSpace(o.Name)
	requireText(&ps, DirFieldOrgID, o.OrgID, MaxOrgIDLength)
	limitText(&ps, DirFieldName, o.Name, MaxCompanyName)
	if users != "" {
		n, err := strconv.Atoi(strings.TrimSpace(users))
		if err != nil || n < 0 {
			ps.add(DirFieldUsers, ReasonUserCount, "value", users)
		}
		o.UserCount = n
	}
	o.VerifiedDomains = checkDomains(&ps, DirFieldVerifiedDomains, o.VerifiedDomains)
	o.ClaimedDomains = checkDomains(&ps, DirFieldClaimedDomains, o.ClaimedDomains)
	for i, p := range o.LegacyPackages {
		p = Package(strings.TrimSpace(string(p)))
		o.LegacyPackages[i] = p
		switch {
		case !p.Legacy():
			ps.add(DirFieldLegacyPackages, ReasonInvalidEnum, "value", string(p), "allowed", joinPackages(legacyPackages))
		case slices.Contains(o.LegacyPackages[:i], p):
			ps.add(DirFieldLegacyPackages, ReasonDuplicatePackage, "value", string(p))
		}
	}
	if first, ok := rc.orgs[o.OrgID]; ok && o.OrgID != "" {
		ps.add(DirFieldOrgID, ReasonImportRepeated, "value", o.OrgID, "detail", itoa(first))
	} else if o.OrgID != "" {
		rc.orgs[o.OrgID] = line
	}
	for _, p := range ps {
		rc.fail(line, prefix+p.Field, p.Reason, flatten(p.Params)...)
	}
	o.VerifiedDomain, o.ClaimedDomain = len(o.VerifiedDomains) > 0, len(o.ClaimedDomains) > 0
	d.Orgs = append(d.Orgs, DirectoryOrg{Line: line, ExistingOrg: o})
}

// account validates one free account.
func (rc *rowCheck) account(d *Directory, line int, prefix string, a FreeAccount) {
	var ps problems
	a.Email, a.Name = NormalizeEmail(a.Email), strings.TrimSpace(a.Name)
	switch {
	case a.Email == "":
		ps.add(DirFieldEmail, ReasonRequired)
	case !ValidEmail(a.Email):
		ps.add(DirFieldEmail, ReasonInvalidEmail)
	}
	limitText(&ps, DirFieldName, a.Name, MaxCompanyName)
	if first, ok := rc.accounts[a.Email]; ok && a.Email != "" {
		ps.add(DirFieldEmail, ReasonImportRepeated, "value", a.Email, "detail", itoa(first))
	} else if a.Email != "" {
		rc.accounts[a.Email] = line
	}
	for _, p := range ps {
		rc.fail(line, prefix+p.Field, p.Reason, flatten(p.Params)...)
	}
	a.Line = line
	d.FreeAccounts = append(d.FreeAccounts, a)
}

func checkDomains(ps *problems, field string, ds []string) []string {
	if len(ds) > MaxDomainsPerOrg {
		ps.add(field, ReasonTooLong, "max", itoa(MaxDomainsPerOrg))
		return nil
	}
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		switch {
		case !ValidDomain(d):
			ps.add(field, ReasonDomainInvalid, "value", d)
		case !slices.Contains(out, d):
			out = append(out, d)
		}
	}
	return out
}

func flatten(m map[string]string) []string {
	out := make([]string, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// parseDirectoryJSON reads {"organizations": [...], "freeAccounts": [...]}.
// Each row is decoded on its own, so that every row's problems are found
// and named with the line its object starts on.
func parseDirectoryJSON(d *Directory, data []byte, fail func(int, string, string, ...string)) {
	var doc struct {
		Organizations []json.RawMessage `json:"organizations"`
		FreeAccounts  []json.RawMessage `json:"freeAccounts"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		line, field, reason, params := jsonProblem(data, err, "")
		fail(line, field, reason, params...)
		return
	}
	if dec.More() {
		fail(lineAt(data, int(dec.InputOffset())), "file", ReasonMalformedJSON, "detail", "data after the document")
		return
	}
	rc := &rowCheck{orgs: map[string]int{}, accounts: map[string]int{}, fail: fail}
	starts := rowStarts(data)
	for i, raw := range doc.Organizations {
		line := starts.line("organizations", i)
		prefix := "organizations[" + itoa(i) + "]."
		var row struct {
			OrgID           string    `json:"orgId"`
			Name            string    `json:"name"`
			Users           *int      `json:"users"`
			VerifiedDomains []string  `json:"verifiedDomains"`
			ClaimedDomains  []string  `json:"claimedDomains"`
			LegacyPackages  []Package `json:"legacyPackages"`
		}
		if !decodeRow(raw, &row, line, prefix, fail) {
			continue
		}
		users := ""
		if row.Users != nil {
			users = itoa(*row.Users)
		}
		rc.org(d, line, prefix, ExistingOrg{OrgID: row.OrgID, Name: row.Name, VerifiedDomains: row.VerifiedDomains,
			ClaimedDomains: row.ClaimedDomains, LegacyPackages: row.LegacyPackages}, users)
	}
	for i, raw := range doc.FreeAccounts {
		line := starts.line("freeAccounts", i)
		prefix := "freeAccounts[" + itoa(i) + "]."
		var row struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		}
		if !decodeRow(raw, &row, line, prefix, fail) {
			continue
		}
		rc.account(d, line, prefix, FreeAccount{Email: row.Email, Name: row.Name})
	}
}

func decodeRow(raw json.RawMessage, v any, line int, prefix string, fail func(int, string, string, ...string)) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		_, field, reason, params := jsonProblem(raw, err, prefix)
		fail(line, field, reason, params...)
		return false
	}
	return true
}

// jsonProblem turns a decoding error into a problem: the field of a wrong
// type or an unknown field, else the line of a syntax error.
func jsonProblem(data []byte, err error, prefix string) (int, string, string, []string) {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return lineAt(data, int(syntax.Offset)), "file", ReasonMalformedJSON, []string{"detail", syntax.Error()}
	case errors.As(err, &typ):
		return lineAt(data, int(typ.Offset)), prefix + typ.Field, ReasonWrongType, []string{"type", typ.Type.String()}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return 0, prefix + f, ReasonUnknownField, nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return lineAt(data, len(data)), "file", ReasonMalformedJSON, []string{"detail", "unexpected end of the file"}
	}
	return 0, "file", ReasonMalformedJSON, []string{"detail", err.Error()}
}

// lineAt is the 1-based line of byte offset off of data.
func lineAt(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// jsonRows knows the line each row of the two lists starts on.
type jsonRows map[string][]int

func (r jsonRows) line(list string, i int) int {
	if i < len(r[list]) {
		return r[list][i]
	}
	return 0
}

// rowStarts walks the document's tokens and records, for each element of
// the top-level lists, the line its value starts on.
func rowStarts(data []byte) jsonRows {
	out := jsonRows{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return out
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := t.(string)
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			// Not a list: skip the value (null, or a type error reported elsewhere).
			if d, ok := t.(json.Delim); ok && (d == '{' || d == '[') {
				skipValue(dec)
			}
			continue
		}
		for dec.More() {
			start := int(dec.InputOffset())
			for start < len(data) && strings.IndexByte(" \t\r\n,", data[start]) >= 0 {
				start++
			}
			out[key] = append(out[key], lineAt(data, start))
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return out
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return out
		}
	}
	return out
}

func skipValue(dec *json.Decoder) {
	depth := 1
	for depth > 0 {
		t, err := dec.Token()
		if err != nil {
			return
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
}

// columnKey is how a CSV header cell is matched to a field: case, spaces,
// underscores and hyphens do not count ("Org ID", "org_id", "orgId").
func columnKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '\ufeff':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// parseDirectoryCSV reads a CSV file of one kind of row, told by its header:
// organizations (a column orgId) or free accounts (a column email). Lists
// (domains, legacy packages) are separated by ";", "," inside quotes, or
// spaces.
func parseDirectoryCSV(d *Directory, data []byte, fail func(int, string, string, ...string)) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		fail(1, "file", ReasonImportNoHeader)
		return
	}
	if err != nil {
		fail(csvLine(err), "file", ReasonImportMalformed, "detail", itoa(csvLine(err)))
		return
	}
	keys := map[string]string{}
	for _, c := range append(slices.Clone(orgColumns), accountColumns...) {
		keys[columnKey(c)] = c
	}
	col := map[string]int{}
	for i, h := range header {
		name, ok := keys[columnKey(h)]
		switch {
		case !ok:
			fail(1, strings.TrimSpace(h), ReasonDirectoryColumn, "value", strings.TrimSpace(h))
		case col[name] != 0:
			fail(1, name, ReasonImportColumnRepeated, "value", name)
		default:
			col[name] = i + 1 // 0: absent
		}
	}
	orgs, accounts := col[DirFieldOrgID] != 0, col[DirFieldEmail] != 0
	switch {
	case orgs && accounts, !orgs && !accounts:
		fail(1, "file", ReasonDirectoryKind)
		return
	}
	rc := &rowCheck{orgs: map[string]int{}, accounts: map[string]int{}, fail: fail}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			fail(csvLine(err), "file", ReasonImportMalformed, "detail", itoa(csvLine(err)))
			return
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		get := func(name string) string {
			if i := col[name]; i != 0 && i <= len(rec) {
				return rec[i-1]
			}
			return ""
		}
		if orgs {
			rc.org(d, line, "", ExistingOrg{OrgID: get(DirFieldOrgID), Name: get(DirFieldName),
				VerifiedDomains: splitList(get(DirFieldVerifiedDomains)), ClaimedDomains: splitList(get(DirFieldClaimedDomains)),
				LegacyPackages: packageList(splitList(get(DirFieldLegacyPackages)))}, get(DirFieldUsers))
		} else {
			rc.account(d, line, "", FreeAccount{Email: get(DirFieldEmail), Name: get(DirFieldName)})
		}
	}
}

func csvLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return 0
}

// splitList splits a CSV cell listing several values.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\t' })
}

func packageList(ss []string) []Package {
	out := make([]Package, len(ss))
	for i, s := range ss {
		out[i] = Package(s)
	}
	return out
}
