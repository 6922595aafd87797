package tenantry_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

func TestTimestamp(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 190585272, time.FixedZone("X", 3600))
	if got, want := tenantry.FormatTime(at), "2024-01-02T02:04:05.190Z"; got != want {
		t.Errorf("FormatTime = %s, want %s", got, want)
	}
	if got, want := tenantry.FormatTime(at.Truncate(time.Second)), "2024-01-02T02:04:05.000Z"; got != want {
		t.Errorf("FormatTime of a whole second = %s, want %s", got, want)
	}
	var v struct {
		At   tenantry.Timestamp `json:"at"`
		Zero tenantry.Timestamp `json:"zero,omitzero"`
	}
	v.At = tenantry.Timestamp(at)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"at":"2024-01-02T02:04:05.190Z"}` {
		t.Errorf("JSON = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"at":"2024-01-02T02:04:05.190585Z"}`), &v); err != nil || v.At.Time().Nanosecond() != 190585000 {
		t.Errorf("unmarshal: %v %v", v.At.Time(), err)
	}
}
