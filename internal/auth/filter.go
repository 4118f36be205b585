package auth

import (
	"net/url"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// SessionFilter says whose sessions to list: the caller's, or with
// users.manage those of everyone the caller outranks (All) or of one user
// the caller outranks (UserID).
type SessionFilter struct {
	All    bool
	UserID int64
}

// sessionQuery documents GET /api/sessions' parameters.
var sessionQuery = append([]httpapi.Param{
	{Name: "all", Type: "boolean", Description: "the sessions of every user you outrank, and yours (users.manage)"},
	{Name: "user_id", Type: "integer", Description: "one user's sessions (users.manage and outranking them, unless your own)"},
}, httpapi.PageQuery...)

// ParseSessionFilter reads all and user_id: an all that is not true or
// false is INVALID_JSON; user_id is read as httpapi.QueryID reads ids.
func ParseSessionFilter(q url.Values) (SessionFilter, error) {
	var f SessionFilter
	switch q.Get("all") {
	case "", "false":
	case "true":
		f.All = true
	default:
		return f, apperr.New(apperr.InvalidJSON, "all must be true or false")
	}
	var err error
	f.UserID, err = httpapi.QueryID(q, "user_id")
	return f, err
}
