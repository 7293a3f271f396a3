package nanjson

import (
	"math"
	"testing"
)

type rec struct {
	Name string  `json:"name"`
	X    float64 `json:"x"`
	Y    float64 `json:"y,omitempty"`
	N    int     `json:"n"`
}

func (r rec) MarshalJSON() ([]byte, error) { return Marshal(r) }

func (r *rec) UnmarshalJSON(b []byte) error {
	type plain rec
	return Unmarshal(b, r, (*plain)(r))
}

// TestRoundTrip: NaN and Inf become null, in field order, and null and
// missing floats come back as NaN; other values round-trip.
func TestRoundTrip(t *testing.T) {
	b, err := rec{"a", math.NaN(), math.Inf(-1), 3}.MarshalJSON()
	if err != nil || string(b) != `{"name":"a","x":null,"y":null,"n":3}` {
		t.Fatalf("Marshal: %s, %v", b, err)
	}
	var r rec
	if err := r.UnmarshalJSON([]byte(`{"name":"b","x":null,"n":4}`)); err != nil {
		t.Fatal(err)
	}
	if r.Name != "b" || !math.IsNaN(r.X) || !math.IsNaN(r.Y) || r.N != 4 {
		t.Errorf("Unmarshal: %+v", r)
	}
	if err := r.UnmarshalJSON([]byte(`{"x":1.5,"y":-2}`)); err != nil || r.X != 1.5 || r.Y != -2 {
		t.Errorf("finite values: %+v, %v", r, err)
	}
}
