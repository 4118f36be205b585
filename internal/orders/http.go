package orders

import (
	"net/http"
	"strconv"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// OrdersPage and OrdersCursorPage document the two list envelopes.
type (
	OrdersPage       = paging.Page[Order]
	OrdersCursorPage = paging.CursorPage[Order]
)

// Routes mounts the orders endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	rt.Handle("GET", "/api/orders", httpapi.Op{ID: "listOrders", Tag: "orders", Permission: PermView, Cached: true,
		Summary: "List orders (page or cursor pagination)", Response: OrdersPage{}, Query: listQuery},
		httpapi.List(ParseFilter, s.List))
	rt.Handle("GET", "/api/orders/{id}", httpapi.Op{ID: "getOrder", Tag: "orders", Permission: PermView, Cached: true,
		Summary: "One order with its items", Response: Order{}}, h.get)
	rt.Handle("GET", "/api/orders/{id}/history", httpapi.Op{ID: "getOrderHistory", Tag: "orders", Permission: PermView,
		Cached: true, Summary: "An order's status changes, oldest first", Response: HistoryList{}}, h.history)
	rt.Handle("POST", "/api/orders", httpapi.Op{ID: "createOrder", Errors: []int{http.StatusConflict}, Tag: "orders", Permission: PermCreate,
		Status: http.StatusCreated, Summary: "Create a pending order; totals are computed by the server",
		Request: CreateInput{}, Response: Order{},
		Headers: []httpapi.Param{{Name: "Idempotency-Key", Description: "retries with the same key and body return the first response (24 h)"}}},
		h.create)
	rt.Handle("PUT", "/api/orders/{id}/status", httpapi.Op{ID: "updateOrderStatus", Errors: []int{http.StatusConflict}, Tag: "orders", Permission: PermUpdateStatus,
		Summary: "Move an order to another status", Request: StatusInput{}, Response: Order{},
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the order as last read; a stale one gets 412"}}},
		h.updateStatus)
}

type handlers struct{ s *Service }

// pathID reads the order id of the path; an id that cannot exist is a 404.
func pathID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errNotFound
	}
	return id, nil
}

func (h handlers) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) history(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.History(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) create(w http.ResponseWriter, r *http.Request) error {
	var in CreateInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	key, hasKey := r.Header["Idempotency-Key"]
	if hasKey && (len(key) != 1 || key[0] == "") {
		return apperr.Validation(map[string]string{"Idempotency-Key": "send exactly one non-empty key"})
	}
	idem := ""
	if hasKey {
		idem = key[0]
	}
	res, err := h.s.Create(r.Context(), in, idem)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/orders/"+strconv.FormatInt(res.ID, 10))
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	httpapi.WriteBody(w, r, res.Status, res.Body, "")
	return nil
}

func (h handlers) updateStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in StatusInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	body, err := h.s.UpdateStatus(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}
