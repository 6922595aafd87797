package tenantry

import (
	"fmt"
	"time"
)

// TimeLayout is how every time is written on the wire: RFC 3339 in UTC with
// exactly three fractional digits, as the wholesale API writes its own
// ("2024-01-02T03:04:05.123Z"). One layout for every field and every
// operation, so that the answer to a POST and a later GET of the same object
// compare equal as strings (storage keeps microseconds, the clock has
// nanoseconds).
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime writes t in TimeLayout, in UTC, truncated to the millisecond.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Timestamp is a time that marshals to JSON through FormatTime. Wire types
// use it for every time field; a zero Timestamp is left out by `omitzero`.
type Timestamp time.Time

// MarshalJSON writes the time in TimeLayout.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + FormatTime(time.Time(t)) + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 time, so that a body Tenantry wrote reads
// back whatever precision it was written with.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("timestamp: %s is not a JSON string", b)
	}
	v, err := time.Parse(time.RFC3339Nano, string(b[1:len(b)-1]))
	if err != nil {
		return err
	}
	*t = Timestamp(v)
	return nil
}

// IsZero reports whether t is the zero time (for `omitzero`).
func (t Timestamp) IsZero() bool { return time.Time(t).IsZero() }

// Time returns t as a time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

// TimestampOf returns t as a Timestamp.
func TimestampOf(t time.Time) Timestamp { return Timestamp(t) }
