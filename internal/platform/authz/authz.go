// Package authz holds the principal (who is calling and what they may do)
// and the catalogue of permission strings. Services call Require; the HTTP
// layer only puts the principal into the context.
package authz

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// Permission is "<area>.<action>".
type Permission string

// Principal is an authenticated caller.
type Principal struct {
	UserID      int64
	Email       string
	Name        string
	Superuser   bool
	Permissions []Permission // sorted, without duplicates
	// Via is "session" or "token".
	Via string
}

// Can reports whether the principal holds p.
func (p *Principal) Can(perm Permission) bool {
	if p == nil {
		return false
	}
	if p.Superuser {
		return true
	}
	_, ok := slices.BinarySearch(p.Permissions, perm)
	return ok
}

// Scope is a short stable string saying which of the relevant permissions
// the principal holds; cache keys include it so a cached response is never
// served to a caller who could not have received it uncached, while callers
// with the same rights share entries.
func (p *Principal) Scope(relevant ...Permission) string {
	var b strings.Builder
	for _, perm := range relevant {
		if p.Can(perm) {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// System is the principal of the command line and of tests' setup: a
// superuser that is nobody (audit rows name no actor).
var System = &Principal{Email: "system", Superuser: true, Via: "system"}

// UserKey is the principal's id as a string, for per-user keys.
func (p *Principal) UserKey() string { return strconv.FormatInt(p.UserID, 10) }

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal in ctx, or nil.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// Require returns UNAUTHENTICATED without a principal and PERMISSION_DENIED
// when the principal lacks perm.
func Require(ctx context.Context, perm Permission) (*Principal, error) {
	p := From(ctx)
	if p == nil {
		return nil, apperr.New(apperr.Unauthenticated, "log in first")
	}
	if !p.Can(perm) {
		return nil, apperr.New(apperr.PermissionDenied, "you need the permission %q", string(perm))
	}
	return p, nil
}

// Described is a permission with its description.
type Described struct {
	Name        Permission `json:"name"`
	Area        string     `json:"area"`
	Description string     `json:"description"`
}

var (
	catalogueMu sync.RWMutex
	catalogue   = map[Permission]string{}
)

// Register adds permissions to the catalogue. Features call it from init.
func Register(perms map[Permission]string) {
	catalogueMu.Lock()
	defer catalogueMu.Unlock()
	for p, d := range perms {
		catalogue[p] = d
	}
}

// Known reports whether p is in the catalogue.
func Known(p Permission) bool {
	catalogueMu.RLock()
	defer catalogueMu.RUnlock()
	_, ok := catalogue[p]
	return ok
}

// All returns the catalogue sorted by name.
func All() []Described {
	catalogueMu.RLock()
	defer catalogueMu.RUnlock()
	out := make([]Described, 0, len(catalogue))
	for p, d := range catalogue {
		area, _, _ := strings.Cut(string(p), ".")
		out = append(out, Described{Name: p, Area: area, Description: d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// The permissions of API.md section 3 that no feature package registers
// (yet): a feature registers its own from its init, beside their constants.
// These are listed from the start so roles can hold them before their
// feature exists; a feature that arrives moves its names out of here.
func init() {
	Register(map[Permission]string{
		"users.view":      "See users",
		"users.manage":    "Create, edit and deactivate users; see every session",
		"roles.manage":    "Create and edit roles and their permissions",
		"settings.manage": "Change system settings",
	})
}
