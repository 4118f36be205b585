package ai

import (
	"net/url"
	"slices"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// UsageFilter is the query of GET /api/ai/usage and its CSV export.
type UsageFilter struct {
	From, To time.Time
	// GroupBy is day, user, feature or model (the report; the export lists rows).
	GroupBy string
}

// The groupings of the usage report.
var GroupBys = []string{"day", "user", "feature", "model"}

// MaxUsageSpan bounds a usage query's from..to.
const MaxUsageSpan = 366 * 24 * time.Hour

// UsageQuery documents the filter for the OpenAPI document.
var UsageQuery = []httpapi.Param{
	{Name: "from", Description: "start (RFC 3339, inclusive); default 30 days before to"},
	{Name: "to", Description: "end (RFC 3339, exclusive); default now"},
	{Name: "group_by", Description: "day (in TIMEZONE), user, feature or model; default day"},
}

// ParseUsageFilter reads the filter; now is the default end.
func ParseUsageFilter(q url.Values, now time.Time) (UsageFilter, error) {
	f := UsageFilter{To: now.UTC(), GroupBy: "day"}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, apperr.New(apperr.InvalidJSON, "%s must be an RFC 3339 time such as 2026-11-28T09:30:00Z", p.name)
			}
			*p.dst = t.UTC()
		}
	}
	if q.Get("from") == "" {
		f.From = f.To.Add(-30 * 24 * time.Hour)
	}
	fe := apperr.FieldErrors{}
	if v := q.Get("group_by"); v != "" {
		if !slices.Contains(GroupBys, v) {
			fe.Add("group_by", "must be one of day, user, feature, model")
		}
		f.GroupBy = v
	}
	switch {
	case !f.To.After(f.From):
		fe.Add("to", "must be after from")
	case f.To.Sub(f.From) > MaxUsageSpan:
		fe.Add("to", "must be at most 366 days after from")
	}
	return f, fe.Err()
}
