package people

import (
	"net/url"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// UserFilter narrows GET /api/users. Its SQL (where) is in store.go.
type UserFilter struct {
	Q      string // substring of email or name, case-insensitive
	RoleID int64
	Status string // "", "active", "inactive" or "invited"
}

var userListQuery = append([]httpapi.Param{
	{Name: "q", Description: "case-insensitive substring of the email or name"},
	{Name: "role_id", Type: "integer", Description: "users holding this role"},
	{Name: "status", Enum: []string{"active", "inactive", "invited"}, Description: "invited: no password set yet"},
}, httpapi.PageQuery...)

// ParseUserFilter reads q (at most 200 bytes), status and role_id.
func ParseUserFilter(q url.Values) (UserFilter, error) {
	f := UserFilter{Q: q.Get("q"), Status: q.Get("status")}
	if len(f.Q) > 200 {
		return f, apperr.Validation(map[string]string{"q": "must be at most 200 characters"})
	}
	switch f.Status {
	case "", "active", "inactive", "invited":
	default:
		return f, apperr.Validation(map[string]string{"status": "must be active, inactive or invited"})
	}
	var err error
	f.RoleID, err = httpapi.QueryID(q, "role_id")
	return f, err
}
