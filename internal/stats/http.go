package stats

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// Routes mounts the statistics endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	rt.Handle("GET", "/api/stats/overview", httpapi.Op{ID: "statsOverview", Tag: "stats", Permission: PermView, Cached: true,
		Summary:  "KPIs of a period against the one before, orders by status and a daily series, from pre-aggregated figures",
		Response: Overview{},
		Query:    []httpapi.Param{{Name: "range", Enum: []string{"7d", "30d", "90d", "365d"}, Description: "7d, 30d (default), 90d or 365d, ending today in TIMEZONE"}}},
		h.overview)
}

type handlers struct{ s *Service }

func (h handlers) overview(w http.ResponseWriter, r *http.Request) error {
	body, st, err := h.s.Overview(r.Context(), r.URL.Query().Get("range"))
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}
