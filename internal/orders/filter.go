package orders

// The list filter, one concept in one file: its fields, how it is read
// from the query and documented for OpenAPI, and its canonical form for
// cache keys and cursor binding. Its SQL (where, orderBy) is in store.go.

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// Filter selects and orders a list.
type Filter struct {
	Statuses    []Status
	Q           string
	CreatedFrom *time.Time // inclusive
	CreatedTo   *time.Time // exclusive
	MinTotal    *int64
	MaxTotal    *int64
	Sort        string // created_at, -created_at, total, -total
	// SearchPII lets Q match the customer's email too; only for callers
	// holding customers.view_pii, or a masked email could be recovered one
	// character at a time. Without it Q matches the order number and the
	// customer name.
	SearchPII bool
}

// ParseFilter reads the list filters and sort of API.md section 4.
// Unparseable values are INVALID_JSON; parseable but invalid ones are
// VALIDATION_FAILED.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	fe := apperr.FieldErrors{}
	seen := map[Status]bool{}
	for _, raw := range q["status"] {
		for _, v := range strings.Split(raw, ",") {
			st := Status(strings.TrimSpace(v))
			if !st.Known() {
				fe.Add("status", "must be one of pending, paid, processing, shipped, delivered, cancelled, refunded")
				continue
			}
			if !seen[st] {
				seen[st] = true
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	// a stable order makes equal filters share cache entries and cursors
	sortStatuses(f.Statuses)
	f.Q = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Q)) > 200 {
		fe.Add("q", "must be at most 200 characters")
	}
	parseTime := func(name string) (*time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return nil, nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, apperr.New(apperr.InvalidJSON, "%s must be an RFC 3339 time such as 2026-11-28T09:30:00Z", name)
		}
		t = t.UTC()
		return &t, nil
	}
	parseInt := func(name string) (*int64, error) {
		v := q.Get(name)
		if v == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, apperr.New(apperr.InvalidJSON, "%s must be a whole number", name)
		}
		if n < 0 {
			fe.Add(name, "must not be negative")
		}
		return &n, nil
	}
	var err error
	if f.CreatedFrom, err = parseTime("created_from"); err != nil {
		return f, err
	}
	if f.CreatedTo, err = parseTime("created_to"); err != nil {
		return f, err
	}
	if f.MinTotal, err = parseInt("min_total"); err != nil {
		return f, err
	}
	if f.MaxTotal, err = parseInt("max_total"); err != nil {
		return f, err
	}
	if f.CreatedFrom != nil && f.CreatedTo != nil && !f.CreatedFrom.Before(*f.CreatedTo) {
		fe.Add("created_to", "must be after created_from")
	}
	if f.MinTotal != nil && f.MaxTotal != nil && *f.MinTotal > *f.MaxTotal {
		fe.Add("max_total", "must not be less than min_total")
	}
	f.Sort = q.Get("sort")
	switch f.Sort {
	case "":
		f.Sort = "-created_at"
	case "created_at", "-created_at", "total", "-total":
	default:
		fe.Add("sort", "must be one of created_at, -created_at, total, -total")
	}
	return f, fe.Err()
}

func sortStatuses(s []Status) {
	rank := map[Status]int{}
	for i, st := range Statuses {
		rank[st] = i
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && rank[s[j]] < rank[s[j-1]]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

var listQuery = append(slices.Clone(httpapi.PageQuery), []httpapi.Param{
	{Name: "status", Repeated: true, Enum: Status("").EnumValues(), Description: "one or more statuses"},
	{Name: "q", Description: "case-insensitive substring of the order number or customer name; of the customer's email too for holders of customers.view_pii"},
	{Name: "created_from", Type: "date-time", Description: "inclusive"},
	{Name: "created_to", Type: "date-time", Description: "exclusive"},
	{Name: "min_total", Type: "integer", Description: "inclusive"},
	{Name: "max_total", Type: "integer", Description: "inclusive"},
	{Name: "sort", Description: "created_at, -created_at (default), total, -total"},
}...)

// canonical renders a filter as a stable string, for cache keys and cursor
// binding.
func (f Filter) canonical() string {
	var b strings.Builder
	st := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		st[i] = string(s)
	}
	fmt.Fprintf(&b, "s=%s|q=%s|sort=%s", strings.Join(st, ","), f.Q, f.Sort)
	if f.CreatedFrom != nil {
		fmt.Fprintf(&b, "|cf=%d", f.CreatedFrom.UnixMicro())
	}
	if f.CreatedTo != nil {
		fmt.Fprintf(&b, "|ct=%d", f.CreatedTo.UnixMicro())
	}
	if f.MinTotal != nil {
		fmt.Fprintf(&b, "|min=%d", *f.MinTotal)
	}
	if f.MaxTotal != nil {
		fmt.Fprintf(&b, "|max=%d", *f.MaxTotal)
	}
	return b.String()
}
