package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestBenchCustomers runs the customer benchmark small, in a closed and an
// open loop, and checks that it reports every figure the issue asks for:
// request and accepted→provisioned latency, customers per second and the
// same-run baseline. It returns only once every customer is provisioned.
func TestBenchCustomers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		var server []string
		if e.Name == "postgres" {
			server = []string{"-database-url", os.Getenv("TENANTRY_TEST_POSTGRES_URL")}
		}
		for _, loop := range [][]string{{"-n", "60"}, {"-n", "60", "-c", "8", "-rate", "300"}} {
			var stdout, stderr bytes.Buffer
			args := append(append([]string{"bench", "customers"}, loop...), server...)
			if code := Main(t.Context(), args, &stdout, &stderr); code != 0 {
				t.Fatalf("%v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{
				`engine=` + e.Name,
				`request latency +p50 \S+ +p99 \S+`,
				`accepted → provisioned +p50 \S+ +p99 \S+`,
				`end to end +\d+ customers/s \(60 in `,
				`baseline \(plain loop, one transaction per row\) +\d+ rows/s`,
			} {
				if !regexp.MustCompile(want).MatchString(out) {
					t.Errorf("%v: output lacks %q:\n%s", args, want, out)
				}
			}
			m := regexp.MustCompile(`end to end +(\d+) customers/s`).FindStringSubmatch(out)
			if m == nil {
				continue
			}
			if rate, _ := strconv.Atoi(m[1]); rate <= 0 {
				t.Errorf("%v: %d customers/s", args, rate)
			}
		}
	})
}

// TestBenchDropIndex: the customer benchmark drops the indexes it is asked
// to before the run (to measure what they cost writes), and refuses a name
// that is not an identifier rather than run it as SQL.
func TestBenchDropIndex(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		var server []string
		drop := "customers_status_list, customers_list"
		if e.Name == "postgres" {
			server = []string{"-database-url", os.Getenv("TENANTRY_TEST_POSTGRES_URL")}
			drop = "customers_status_list, customers_email_folded"
		}
		var stdout, stderr bytes.Buffer
		args := append([]string{"bench", "customers", "-n", "20", "-drop-index", drop}, server...)
		if code := Main(t.Context(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
		}
		stdout.Reset()
		stderr.Reset()
		args = append([]string{"bench", "customers", "-n", "20", "-drop-index", "no_such_index"}, server...)
		if code := Main(t.Context(), args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "no_such_index") {
			t.Errorf("%v: exit %d, want a failure naming the index:\n%s", args, code, stderr.String())
		}
		stderr.Reset()
		args = []string{"bench", "customers", "-n", "20", "-drop-index", "x; DROP TABLE customers"}
		if code := Main(t.Context(), args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "-drop-index") {
			t.Errorf("%v: exit %d, want a usage error:\n%s", args, code, stderr.String())
		}
	})
}
