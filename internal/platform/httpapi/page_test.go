package httpapi

import (
	"math"
	"net/url"
	"strconv"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Every page request ParsePage accepts skips at most paging.MaxOffset rows,
// whatever page and page_size say; deeper and unrepresentable pages are
// VALIDATION_FAILED, never an overflowed offset.
func TestParsePageOffsetBound(t *testing.T) {
	pages := []string{"1", "2", "1000001", "5000001", "5000002", strconv.Itoa(paging.MaxOffset), "92233720368547760",
		strconv.FormatInt(math.MaxInt64, 10), "99999999999999999999", "184467440737095516"}
	sizes := []string{"", "1", "7", "20", "100"}
	for _, p := range pages {
		for _, s := range sizes {
			q := url.Values{"page": {p}}
			if s != "" {
				q.Set("page_size", s)
			}
			pr, err := ParsePage(q)
			if err != nil {
				if apperr.CodeOf(err) != apperr.ValidationFailed {
					t.Errorf("%v: %v, want VALIDATION_FAILED", q, err)
				}
				continue
			}
			if off := int64(pr.Page-1) * int64(pr.PageSize); off < 0 || off > paging.MaxOffset {
				t.Errorf("%v: accepted with offset %d", q, off)
			}
		}
	}
	for _, q := range []string{"page=1000001", "page=5000001&page_size=20", "page=1000001&page_size=100"} {
		v, _ := url.ParseQuery(q)
		if _, err := ParsePage(v); err != nil {
			t.Errorf("%s: %v, want accepted (offset within the bound)", q, err)
		}
	}
}
