package main

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneGC: without GOGC the collector's target is gcPercent; GOGC, even
// empty, leaves the runtime's own reading of it alone.
func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	t.Setenv("GOGC", "")
	debug.SetGCPercent(123)
	tuneGC()
	if got := debug.SetGCPercent(100); got != 123 {
		t.Errorf("with GOGC set the target became %d, want it left at 123", got)
	}

	// Setenv's cleanup puts back whatever GOGC the test began with.
	if err := os.Unsetenv("GOGC"); err != nil {
		t.Fatal(err)
	}
	tuneGC()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("without GOGC the target is %d, want %d", got, gcPercent)
	}
}
