// Package stats is the statistics dashboard: daily aggregates of orders
// kept in step with every order write (in its transaction), repaired by a
// periodic reconciliation job, cached per day, and the overview built from
// them without ever scanning the orders table.
package stats

import (
	"slices"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// PermView reads the dashboard.
const PermView authz.Permission = "stats.view"

func init() {
	authz.Register(map[authz.Permission]string{PermView: "See the statistics dashboard"})
}

// Resource is the events and cache name of statistics.
const Resource = "stats"

// RevenueStatuses are the statuses whose orders count as revenue: paid
// and not (yet) cancelled or refunded.
var RevenueStatuses = []string{"paid", "processing", "shipped", "delivered"}

func isRevenue(status string) bool { return slices.Contains(RevenueStatuses, status) }

// Ranges are the overview's periods, in days.
var Ranges = map[string]int{"7d": 7, "30d": 30, "90d": 90, "365d": 365}

// ParseRange reads ?range=; empty means 30d.
func ParseRange(s string) (string, int, error) {
	if s == "" {
		s = "30d"
	}
	n, ok := Ranges[s]
	if !ok {
		return "", 0, apperr.Validation(map[string]string{"range": "must be one of 7d, 30d, 90d, 365d"})
	}
	return s, n, nil
}

// Day is a calendar day in the configured time zone.
type Day struct{ Y, M, D int }

// DayOf returns the day t falls on in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day{y, int(m), d}
}

// String is YYYY-MM-DD.
func (d Day) String() string { return string(d.appendDigits(make([]byte, 0, 10), true)) }

// Compact is YYYYMMDD, for cache keys.
func (d Day) Compact() string { return string(d.appendDigits(make([]byte, 0, 8), false)) }

// appendDigits writes the day without fmt: the overview formats hundreds
// of days per request.
func (d Day) appendDigits(b []byte, dashes bool) []byte {
	b = append(b, byte('0'+d.Y/1000%10), byte('0'+d.Y/100%10), byte('0'+d.Y/10%10), byte('0'+d.Y%10))
	if dashes {
		b = append(b, '-')
	}
	b = append(b, byte('0'+d.M/10), byte('0'+d.M%10))
	if dashes {
		b = append(b, '-')
	}
	return append(b, byte('0'+d.D/10), byte('0'+d.D%10))
}

// Start is the day's first instant in loc.
func (d Day) Start(loc *time.Location) time.Time {
	return time.Date(d.Y, time.Month(d.M), d.D, 0, 0, 0, 0, loc)
}

// End is the next day's first instant (exclusive end; days are not always 24 h).
func (d Day) End(loc *time.Location) time.Time { return d.Add(1).Start(loc) }

// Add returns the day n days later (earlier for negative n).
func (d Day) Add(n int) Day {
	t := time.Date(d.Y, time.Month(d.M), d.D+n, 12, 0, 0, 0, time.UTC)
	return Day{t.Year(), int(t.Month()), t.Day()}
}

// Before reports whether d comes before e.
func (d Day) Before(e Day) bool {
	if d.Y != e.Y {
		return d.Y < e.Y
	}
	if d.M != e.M {
		return d.M < e.M
	}
	return d.D < e.D
}

// Row is one (currency, status) figure of a day.
type Row struct {
	Currency string
	Status   string
	Orders   int64
	Amount   int64
}

// DayFigures is everything stored for one day: the cached unit.
type DayFigures struct {
	Rows         []Row
	NewCustomers int64
}

// Equal compares figures regardless of row order (zero rows are absent).
func (f DayFigures) Equal(g DayFigures) bool {
	norm := func(rows []Row) []Row {
		out := []Row{}
		for _, r := range rows {
			if r.Orders != 0 || r.Amount != 0 {
				out = append(out, r)
			}
		}
		slices.SortFunc(out, func(a, b Row) int {
			if a.Currency != b.Currency {
				return compare(a.Currency, b.Currency)
			}
			return compare(a.Status, b.Status)
		})
		return out
	}
	return f.NewCustomers == g.NewCustomers && slices.Equal(norm(f.Rows), norm(g.Rows))
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Money is an amount in one currency (minor units).
type Money struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// Figure is a KPI with the previous period's value and the relative
// change (nil when the previous value is zero).
type Figure struct {
	Value    int64    `json:"value"`
	Previous int64    `json:"previous"`
	Change   *float64 `json:"change"`
}

// MoneyFigure is a KPI in one currency.
type MoneyFigure struct {
	Currency string `json:"currency"`
	Figure
}

// KPIs are the period's headline figures.
type KPIs struct {
	// Orders created in the period, whatever their status.
	Orders Figure `json:"orders"`
	// NewCustomers first seen in the period.
	NewCustomers Figure `json:"new_customers"`
	// Revenue of the period's orders in a revenue status, per currency.
	Revenue []MoneyFigure `json:"revenue"`
	// AverageOrderValue is revenue divided by its orders, per currency.
	AverageOrderValue []MoneyFigure `json:"average_order_value"`
}

// StatusFigure is the period's orders now in one status.
type StatusFigure struct {
	Status  string  `json:"status"`
	Orders  int64   `json:"orders"`
	Amounts []Money `json:"amounts"`
}

// SeriesPoint is one day of the chart.
type SeriesPoint struct {
	Date         string  `json:"date"`
	Orders       int64   `json:"orders"`
	NewCustomers int64   `json:"new_customers"`
	Revenue      []Money `json:"revenue"`
}

// Today is today's figures.
type Today struct {
	Date         string  `json:"date"`
	Orders       int64   `json:"orders"`
	NewCustomers int64   `json:"new_customers"`
	Revenue      []Money `json:"revenue"`
}

// Overview is GET /api/stats/overview.
type Overview struct {
	Range    string `json:"range"`
	TimeZone string `json:"time_zone"`
	// From and To are the period's first and last day (inclusive).
	From     string         `json:"from"`
	To       string         `json:"to"`
	Today    Today          `json:"today"`
	KPIs     KPIs           `json:"kpis"`
	ByStatus []StatusFigure `json:"by_status"`
	Series   []SeriesPoint  `json:"series"`
}
