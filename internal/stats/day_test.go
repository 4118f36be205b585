package stats_test

import (
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/stats"
)

func TestDay(t *testing.T) {
	d := stats.DayOf(time.Date(2026, 3, 20, 20, 45, 0, 0, time.UTC), tehran) // 00:15 on the 21st in Tehran
	if d.String() != "2026-03-21" || d.Compact() != "20260321" {
		t.Fatalf("day %s / %s", d.String(), d.Compact())
	}
	if got := (stats.Day{Y: 2025, M: 12, D: 31}).Add(1); got.String() != "2026-01-01" {
		t.Fatalf("the day after 2025-12-31 is %s", got)
	}
	if got := (stats.Day{Y: 2024, M: 3, D: 1}).Add(-1); got.String() != "2024-02-29" {
		t.Fatalf("the day before 2024-03-01 is %s", got)
	}
	a, b := stats.Day{Y: 2025, M: 12, D: 31}, stats.Day{Y: 2026, M: 1, D: 1}
	if !a.Before(b) || b.Before(a) || a.Before(a) {
		t.Fatal("Before must order days and be strict")
	}
	if start := d.Start(tehran); !start.Equal(time.Date(2026, 3, 20, 20, 30, 0, 0, time.UTC)) {
		t.Fatalf("the day starts at %s", start.UTC())
	}
}
