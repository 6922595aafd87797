package tenantry_test

import "testing"

// BenchmarkCustomerInputValidate measures the domain's checks of one create
// request (every rule that needs no database).
func BenchmarkCustomerInputValidate(b *testing.B) {
	in := validInput()
	for b.Loop() {
		if ps := in.Validate(0); len(ps) != 0 {
			b.Fatal(ps)
		}
	}
}
