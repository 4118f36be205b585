package orders

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

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

// ListPage and ListCursor document the two list envelopes.
type (
	ListPage   = paging.Page[Order]
	ListCursor = paging.CursorPage[Order]
)

// Routes mounts the orders endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	rt.Handle("GET", "/api/orders", httpapi.Op{ID: "listOrders", Tag: "orders", Permission: PermView, Cached: true,
		Summary: "List orders (page or cursor pagination)", Response: ListPage{}, Query: listQuery},
		func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			pr, err := httpapi.ParsePage(q)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			f, err := ParseFilter(q)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			body, st, err := s.List(r.Context(), f, pr)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.Handle("GET", "/api/orders/{id}", httpapi.Op{ID: "getOrder", Tag: "orders", Permission: PermView, Cached: true,
		Summary: "One order with its items", Response: Order{}},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := httpapi.ParseID(r.PathValue("id"))
			if !ok {
				httpapi.WriteError(w, r, errNotFound)
				return
			}
			body, st, err := s.Get(r.Context(), id)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.Handle("GET", "/api/orders/{id}/history", httpapi.Op{ID: "getOrderHistory", Tag: "orders", Permission: PermView,
		Cached: true, Summary: "An order's status changes, oldest first", Response: HistoryList{}},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := httpapi.ParseID(r.PathValue("id"))
			if !ok {
				httpapi.WriteError(w, r, errNotFound)
				return
			}
			body, st, err := s.History(r.Context(), id)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.Handle("POST", "/api/orders", httpapi.Op{ID: "createOrder", Errors: []int{http.StatusConflict}, Tag: "orders", Permission: PermCreate,
		Status: http.StatusCreated, Summary: "Create a pending order; totals are computed by the server",
		Request: CreateInput{}, Response: Order{},
		Headers: []httpapi.Param{{Name: "Idempotency-Key", Description: "retries with the same key and body return the first response (24 h)"}}},
		func(w http.ResponseWriter, r *http.Request) {
			var in CreateInput
			if err := httpapi.Decode(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			key, hasKey := r.Header["Idempotency-Key"]
			if hasKey && (len(key) != 1 || key[0] == "") {
				httpapi.WriteError(w, r, apperr.Validation(map[string]string{"Idempotency-Key": "send exactly one non-empty key"}))
				return
			}
			idem := ""
			if hasKey {
				idem = key[0]
			}
			res, err := s.Create(r.Context(), in, idem)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			w.Header().Set("Location", "/api/orders/"+strconv.FormatInt(res.ID, 10))
			if res.Replayed {
				w.Header().Set("Idempotent-Replayed", "true")
			}
			httpapi.WriteBody(w, r, res.Status, res.Body, "")
		})
	rt.Handle("PUT", "/api/orders/{id}/status", httpapi.Op{ID: "updateOrderStatus", Errors: []int{http.StatusConflict}, Tag: "orders", Permission: PermUpdateStatus,
		Summary: "Move an order to another status", Request: StatusInput{}, Response: Order{},
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the order as last read; a stale one gets 412"}}},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := httpapi.ParseID(r.PathValue("id"))
			if !ok {
				httpapi.WriteError(w, r, errNotFound)
				return
			}
			var in StatusInput
			if err := httpapi.Decode(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			body, err := s.UpdateStatus(r.Context(), id, in, r.Header.Get("If-Match"))
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			w.Header().Set("ETag", etag.Of(body))
			httpapi.WriteBody(w, r, http.StatusOK, body, "")
		})
}
