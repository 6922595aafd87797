package tenantry_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

const goodHeader = "first_name,last_name,email,package,location,phone_number,extension\n"

// rowErrors renders the errors of rows as "line field reason".
func rowErrors(rows []tenantry.ImportRow) []string {
	var out []string
	for _, r := range rows {
		for _, e := range r.Errors {
			out = append(out, itoaT(e.Row)+" "+e.Field+" "+e.Reason)
		}
	}
	return out
}

func itoaT(n int) string { return fmt.Sprintf("%02d", n) }

func TestParseUserCSV(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantRows []tenantry.ImportRow // compared without errors when set
		wantErrs []string
	}{
		{
			name: "template header",
			file: goodHeader + "Ada,Lovelace,ada@example.com,webex_calling,HQ,+14085550001,1001\n",
			wantRows: []tenantry.ImportRow{{Line: 2, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Package: "webex_calling",
				Location: "HQ", PhoneNumber: "+14085550001", Extension: "1001"}},
		},
		{
			name:     "spelled header, other order, BOM, CRLF, extra column",
			file:     "\xef\xbb\xbfEmail,First Name,Last-Name,PACKAGE,Location,Phone Number,Extension,Notes\r\nada@example.com,Ada,Lovelace,webex_meetings,,,,hi\r\n",
			wantRows: []tenantry.ImportRow{{Line: 2, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Package: "webex_meetings"}},
		},
		{
			name:     "quoted values with commas and newlines keep their line",
			file:     goodHeader + "\"Lovelace, Ada\",\"B\"\"C\",ada@example.com,webex_meetings,,,\n\"multi\nline\",x,bob@example.com,webex_meetings,,,\n",
			wantErrs: []string{"03 first_name forbidden_character"},
			wantRows: []tenantry.ImportRow{
				{Line: 2, FirstName: "Lovelace, Ada", LastName: "B\"C", Email: "ada@example.com", Package: "webex_meetings"},
				{Line: 3, FirstName: "multi\nline", LastName: "x", Email: "bob@example.com", Package: "webex_meetings"},
			},
		},
		{
			name:     "blank rows are skipped",
			file:     goodHeader + ",,,,,,\nada@example.com,x,ada@example.com,webex_meetings,,,\n",
			wantErrs: nil,
		},
		{
			name: "bad rows name the line and the column",
			file: goodHeader +
				"Ada,Lovelace,not-an-email,webex_calling,HQ,,\n" +
				"Bob,B,bob@example.com,bogus,,,\n" +
				"Cy,C,cy@example.com,webex_calling,,12345,1\n" +
				"Di,D,di@example.com,webex_meetings,,,1234\n" +
				"Ed,E,ADA@example.com,webex_meetings,,,\n" +
				"Fe,F,fe@example.com,webex_calling,HQ,,1234\n" +
				"Gi,G,gi@example.com,webex_calling,HQ,,1234\n",
			wantErrs: []string{
				"02 email invalid_email", "02 phone_number number_or_extension_required",
				"03 package unknown_package",
				"04 phone_number phone_number_invalid", "04 extension invalid_extension", "04 location subscriber_location_required",
				"05 extension package_without_calling",
				"08 extension import_value_repeated",
			},
		},
		{
			name: "a number written with separators is read as E.164, and repeats are seen",
			file: goodHeader + "Ada,L,ada@example.com,webex_calling,HQ,+1 (408) 555-0001,\nBob,B,bob@example.com,webex_calling,HQ,+14085550001,\n",
			wantRows: []tenantry.ImportRow{
				{Line: 2, FirstName: "Ada", LastName: "L", Email: "ada@example.com", Package: "webex_calling", Location: "HQ", PhoneNumber: "+14085550001"},
				{Line: 3, FirstName: "Bob", LastName: "B", Email: "bob@example.com", Package: "webex_calling", Location: "HQ", PhoneNumber: "+14085550001"},
			},
			wantErrs: []string{"03 phone_number import_value_repeated"},
		},
		{
			name:     "repeated email in any case",
			file:     goodHeader + "A,A,a@example.com,webex_meetings,,,\nB,B,A@Example.com,webex_meetings,,,\n",
			wantErrs: []string{"03 email import_value_repeated"},
		},
		{
			name:     "short rows read as empty values",
			file:     goodHeader + "Ada,Lovelace,ada@example.com\n",
			wantErrs: []string{"02 package no_packages"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := tenantry.ParseUserCSV(strings.NewReader(tt.file), 100)
			if err != nil {
				t.Fatalf("ParseUserCSV: %v", err)
			}
			if tt.wantRows != nil {
				got := make([]tenantry.ImportRow, len(rows))
				for i, r := range rows {
					r.Errors = nil
					got[i] = r
				}
				if diff := cmp.Diff(tt.wantRows, got); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tt.wantErrs, rowErrors(rows)); diff != "" {
				t.Errorf("row errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseUserCSVRefused: files that cannot be read as a whole.
func TestParseUserCSVRefused(t *testing.T) {
	tests := []struct {
		name, file, code, reason string
		fields                   []string
	}{
		{"empty", "", tenantry.EINVALID, tenantry.ReasonImportNoHeader, []string{"file"}},
		{"BOM only", "\xef\xbb\xbf", tenantry.EINVALID, tenantry.ReasonImportNoHeader, []string{"file"}},
		{"header only", goodHeader, tenantry.EINVALID, tenantry.ReasonImportNoRows, []string{"file"}},
		{"missing columns", "first name,email,package,location\nx,y,z,w\n", tenantry.EINVALID, tenantry.ReasonInvalidRequest,
			[]string{"last_name", "phone_number", "extension"}},
		{"repeated column", "email,Email\n", tenantry.EINVALID, tenantry.ReasonImportColumnRepeated, []string{"file"}},
		{"bad quote", goodHeader + "a,\"b,c\n", tenantry.EINVALID, tenantry.ReasonImportMalformed, []string{"file"}},
		{"too many rows", goodHeader + strings.Repeat("a,b,c@d.e,webex_meetings,,,\n", 4), tenantry.EINVALID, tenantry.ReasonImportTooManyRows, []string{"file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tenantry.ParseUserCSV(strings.NewReader(tt.file), 3)
			var e *tenantry.Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Reason != tt.reason {
				t.Fatalf("err = %v, want %s %s", err, tt.code, tt.reason)
			}
			var fields []string
			for _, p := range e.Problems {
				fields = append(fields, p.Field)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUserCSVTooLarge(t *testing.T) {
	big := goodHeader + strings.Repeat("x", tenantry.MaxImportBytes)
	_, err := tenantry.ParseUserCSV(strings.NewReader(big), tenantry.MaxImportRows)
	if tenantry.ErrorCode(err) != tenantry.ETOOLARGE {
		t.Fatalf("err = %v, want %s", err, tenantry.ETOOLARGE)
	}
}

// FuzzParseUserCSV: any file is rows or a domain error, never a panic; row
// errors name a column of the file and a known reason.
func FuzzParseUserCSV(f *testing.F) {
	f.Add(goodHeader + "Ada,Lovelace,ada@example.com,webex_calling,HQ,+14085550001,1001\n")
	f.Add("\xef\xbb\xbfFirst Name,Last Name,Email,Package,Location,Phone Number,Extension\r\n\"a,\"\"b\",c,d,e,f,g,h,i\r\n")
	f.Add(goodHeader + "a,\"b\nc\",x@y.z,webex_calling;attendant_console,,,12\n")
	f.Add("email\n\"")
	f.Fuzz(func(t *testing.T, file string) {
		rows, err := tenantry.ParseUserCSV(strings.NewReader(file), 50)
		if err != nil {
			if c := tenantry.ErrorCode(err); c != tenantry.EINVALID && c != tenantry.ETOOLARGE {
				t.Fatalf("err = %v, want EINVALID or ETOOLARGE", err)
			}
			return
		}
		if len(rows) == 0 || len(rows) > 50 {
			t.Fatalf("%d rows", len(rows))
		}
		for _, r := range rows {
			for _, e := range r.Errors {
				if e.Row != r.Line || !contains(tenantry.ImportColumns, e.Field) || !contains(tenantry.AllReasons, e.Reason) {
					t.Fatalf("row %d: bad error %+v", r.Line, e)
				}
			}
		}
	})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
