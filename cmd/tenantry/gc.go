package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target growth of the heap between
// two collections when GOGC is not set, in percent of the live heap (Go's
// default is 100). A server's live heap is about 12 MB, so at 100 the
// heap was collected every 10 MB of allocation: a 100-row page of the API
// allocates more than half a megabyte, and every few dozen pages met a
// collection, whose marking shares the two cores with the requests and
// makes the allocating ones help. At 400 collections are four times
// rarer for about 45 MB more memory: the API's page of 100 customers went
// from 4.9–5.8 ms to 2.3–3.1 ms at p99 (NOTES.md).
const gcPercent = 400

// tuneGC sets the collector's target to gcPercent unless GOGC sets it.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}
