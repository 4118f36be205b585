package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// A cached day decodes to exactly the figures that were encoded.
func TestDayEncodingRoundTrip(t *testing.T) {
	days := []DayFigures{
		{Rows: []Row{}},
		{NewCustomers: 3, Rows: []Row{{Currency: "IRR", Status: "paid", Orders: 2, Amount: 1_500_000}}},
		{NewCustomers: math.MaxInt64, Rows: []Row{
			{Currency: "EUR", Status: "refunded", Orders: -1, Amount: math.MinInt64},
			{Currency: "", Status: "وضعیت", Orders: math.MaxInt64, Amount: 0},
		}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		f := DayFigures{NewCustomers: rng.Int64N(1000), Rows: []Row{}}
		for range rng.IntN(15) {
			f.Rows = append(f.Rows, Row{Currency: []string{"IRR", "USD", "EUR"}[rng.IntN(3)],
				Status: statusOrder[rng.IntN(len(statusOrder))], Orders: rng.Int64N(1e6) - 5e5, Amount: rng.Int64() - math.MaxInt64/2})
		}
		days = append(days, f)
	}
	for _, f := range days {
		got, err := decodeDay(encodeDay(f))
		if err != nil {
			t.Fatalf("decoding %+v: %v", f, err)
		}
		if got.NewCustomers != f.NewCustomers || !slices.Equal(got.Rows, f.Rows) {
			t.Fatalf("round trip changed %+v into %+v", f, got)
		}
	}
}

// A damaged value is an error, never a panic or a made-up figure.
func TestDayEncodingRejectsDamage(t *testing.T) {
	enc := encodeDay(DayFigures{NewCustomers: 7, Rows: []Row{
		{Currency: "IRR", Status: "paid", Orders: 300, Amount: 1 << 40},
		{Currency: "USD", Status: "pending", Orders: 1, Amount: 99},
	}})
	for n := range len(enc) {
		if _, err := decodeDay(enc[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decoded", n, len(enc))
		}
	}
	if _, err := decodeDay(append(slices.Clone(enc), 0)); err == nil {
		t.Fatal("a trailing byte was ignored")
	}
	other := slices.Clone(enc)
	other[0] = dayFormat + 1
	for _, bad := range [][]byte{
		other, // another layout
		{dayFormat, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f},       // more rows than bytes
		{dayFormat, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f}, // a currency longer than the value
		[]byte(`{"rows":[],"new_customers":0}`),               // JSON
	} {
		if _, err := decodeDay(bad); err == nil {
			t.Fatalf("%x decoded", bad)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		_, _ = decodeDay(b) // must not panic
	}
}
