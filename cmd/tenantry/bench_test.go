package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
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
