package auth

import (
	"encoding/json"
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// linkBase is where links in invites point: PUBLIC_URL when set, else
// the scheme and host the request came to.
func (s *Service) linkBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	if reqinfo.From(r.Context()).HTTPS {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// pathID reads the {id} path value; a bad one is NOT_FOUND (what).
func pathID(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "no such %s", what))
	}
	return id, ok
}

// decoded runs f on a decoded request body, answering decoding errors.
func decoded[T any](w http.ResponseWriter, r *http.Request, f func(in T)) {
	var in T
	if err := httpapi.Decode(r, &in); err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	f(in)
}

var userListQuery = append([]httpapi.Param{
	{Name: "q", Description: "case-insensitive substring of the email or name"},
	{Name: "role_id", Type: "integer", Description: "users holding this role"},
	{Name: "status", Enum: []string{"active", "inactive", "invited"}, Description: "invited: no password set yet"},
}, httpapi.PageQuery...)

// withETag answers 200 with v and its ETag, the one a GET of the changed
// object now answers, for the client's next If-Match.
func withETag(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
}

// PeopleRoutes mounts users, roles, invites and password change.
func PeopleRoutes(rt *httpapi.Router, s *Service) {
	rt.HandleFunc("GET", "/api/users", httpapi.Op{ID: "listUsers", Tag: "users", Permission: PermViewUsers, Cached: true,
		Summary: "List users, newest first (page or cursor pagination)", Response: UserList{}, Query: userListQuery},
		func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			pr, err := httpapi.ParsePage(q)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			f := UserFilter{Q: q.Get("q"), Status: q.Get("status")}
			if len(f.Q) > 200 {
				httpapi.WriteError(w, r, apperr.Validation(map[string]string{"q": "must be at most 200 characters"}))
				return
			}
			switch f.Status {
			case "", "active", "inactive", "invited":
			default:
				httpapi.WriteError(w, r, apperr.Validation(map[string]string{"status": "must be active, inactive or invited"}))
				return
			}
			if f.RoleID, err = httpapi.QueryID(q, "role_id"); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			body, st, err := s.ListUsers(r.Context(), f, pr)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.HandleFunc("GET", "/api/users/{id}", httpapi.Op{ID: "getUser", Tag: "users", Permission: PermViewUsers, Cached: true,
		Summary: "One user", Response: UserView{}},
		func(w http.ResponseWriter, r *http.Request) {
			if id, ok := pathID(w, r, "user"); ok {
				body, st, err := s.GetUser(r.Context(), id)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.WriteCached(w, r, body, st.Header())
			}
		})
	rt.HandleFunc("POST", "/api/users", httpapi.Op{ID: "createUser", Errors: []int{http.StatusConflict}, Tag: "users", Permission: PermManageUsers, Status: http.StatusCreated,
		Summary: "Invite a user: creates them without a password and returns a one-time set-password link (emailed when SMTP is configured); to an API token the invite is null and no link is made",
		Request: CreateUserInput{}, Response: CreatedUser{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			decoded(w, r, func(in CreateUserInput) {
				out, err := s.InviteUser(r.Context(), in, s.linkBase(r))
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				w.Header().Set("Location", "/api/users/"+itoa(out.User.ID))
				httpapi.JSON(w, r, http.StatusCreated, out)
			})
		})
	rt.HandleFunc("PATCH", "/api/users/{id}", httpapi.Op{ID: "updateUser", Errors: []int{http.StatusConflict}, Tag: "users", Permission: PermManageUsers,
		Summary: "Change a user; is_active false deactivates and ends every session at once",
		Request: UpdateUserInput{}, Response: UserView{},
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the user as last read; a stale one gets 412"}}},
		func(w http.ResponseWriter, r *http.Request) {
			if id, ok := pathID(w, r, "user"); ok {
				decoded(w, r, func(in UpdateUserInput) {
					out, err := s.UpdateUser(r.Context(), id, in, r.Header.Get("If-Match"))
					if err != nil {
						httpapi.WriteError(w, r, err)
						return
					}
					withETag(w, r, out)
				})
			}
		})
	rt.HandleFunc("DELETE", "/api/users/{id}/totp", httpapi.Op{ID: "resetUserTOTP", Tag: "users", Permission: PermManageUsers,
		Status:  http.StatusNoContent,
		Summary: "Reset another user's second factor (lost phone): it is turned off, their recovery codes deleted and every session ended; they enrol again at their next login if a role requires it"},
		func(w http.ResponseWriter, r *http.Request) {
			if id, ok := pathID(w, r, "user"); ok {
				if err := s.ResetUserTOTP(r.Context(), SessionFrom(r.Context()), id); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.NoContent(w)
			}
		})
	rt.HandleFunc("DELETE", "/api/users/{id}", httpapi.Op{ID: "deactivateUser", Tag: "users", Permission: PermManageUsers,
		Status: http.StatusNoContent, Summary: "Deactivate a user (users are never deleted), end every session at once and revoke their API tokens for good"},
		func(w http.ResponseWriter, r *http.Request) {
			if id, ok := pathID(w, r, "user"); ok {
				if err := s.DeactivateUser(r.Context(), id); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.NoContent(w)
			}
		})
	rt.HandleFunc("POST", "/api/users/{id}/invite", httpapi.Op{ID: "reinviteUser", Tag: "users", Permission: PermManageUsers,
		Status: http.StatusCreated, Summary: "A new one-time set-password link (a password reset) for a user you outrank, never yourself; earlier links stop working; a logged-in session only",
		Response: Invite{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			if id, ok := pathID(w, r, "user"); ok {
				inv, err := s.ReinviteUser(r.Context(), id, s.linkBase(r))
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.JSON(w, r, http.StatusCreated, inv)
			}
		})

	rt.HandleFunc("GET", "/api/roles", httpapi.Op{ID: "listRoles", Tag: "roles", Permission: PermViewUsers,
		OrPermissions: []authz.Permission{PermManageRoles}, Cached: true,
		Summary: "List roles with their permissions (users.view or roles.manage)", Response: RoleList{}, Query: httpapi.PageQuery},
		func(w http.ResponseWriter, r *http.Request) {
			pr, err := httpapi.ParsePage(r.URL.Query())
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			body, st, err := s.ListRoles(r.Context(), pr)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.HandleFunc("GET", "/api/roles/{id}", httpapi.Op{ID: "getRole", Tag: "roles", Permission: PermViewUsers,
		OrPermissions: []authz.Permission{PermManageRoles}, Cached: true,
		Summary: "One role (users.view or roles.manage)", Response: RoleView{}},
		func(w http.ResponseWriter, r *http.Request) {
			if id, ok := pathID(w, r, "role"); ok {
				body, st, err := s.GetRole(r.Context(), id)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.WriteCached(w, r, body, st.Header())
			}
		})
	rt.HandleFunc("POST", "/api/roles", httpapi.Op{ID: "createRole", Errors: []int{http.StatusConflict}, Tag: "roles", Permission: PermManageRoles, Status: http.StatusCreated,
		Summary: "Create a custom role with permissions you hold", Request: RoleInput{}, Response: RoleView{}},
		func(w http.ResponseWriter, r *http.Request) {
			decoded(w, r, func(in RoleInput) {
				out, err := s.CreateRole(r.Context(), in)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				w.Header().Set("Location", "/api/roles/"+itoa(out.ID))
				httpapi.JSON(w, r, http.StatusCreated, out)
			})
		})
	rt.HandleFunc("PATCH", "/api/roles/{id}", httpapi.Op{ID: "updateRole", Errors: []int{http.StatusConflict}, Tag: "roles", Permission: PermManageRoles,
		Summary: "Change a role (of a built-in one only require_totp); its users' next request, on every instance, sees the change",
		Request: RoleInput{}, Response: RoleView{},
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the role as last read; a stale one gets 412"}}},
		func(w http.ResponseWriter, r *http.Request) {
			if id, ok := pathID(w, r, "role"); ok {
				decoded(w, r, func(in RoleInput) {
					out, err := s.UpdateRole(r.Context(), id, in, r.Header.Get("If-Match"))
					if err != nil {
						httpapi.WriteError(w, r, err)
						return
					}
					withETag(w, r, out)
				})
			}
		})
	rt.HandleFunc("DELETE", "/api/roles/{id}", httpapi.Op{ID: "deleteRole", Errors: []int{http.StatusConflict}, Tag: "roles", Permission: PermManageRoles,
		Status: http.StatusNoContent, Summary: "Delete a custom role nobody holds"},
		func(w http.ResponseWriter, r *http.Request) {
			if id, ok := pathID(w, r, "role"); ok {
				if err := s.DeleteRole(r.Context(), id); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.NoContent(w)
			}
		})

	rt.HandleFunc("GET", "/api/auth/invite", httpapi.Op{ID: "checkInvite", Tag: "auth", Public: true,
		Summary: "Whose set-password link a token is (it stays unused)", Response: InviteInfo{},
		Query: []httpapi.Param{{Name: "token", Description: "the link's token"}}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			info, err := s.CheckInvite(r.Context(), r.URL.Query().Get("token"))
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.JSON(w, r, http.StatusOK, info)
		})
	rt.HandleFunc("POST", "/api/auth/invite", httpapi.Op{ID: "acceptInvite", Tag: "auth", Public: true, Status: http.StatusNoContent,
		Summary: "Set your password with a one-time link; then log in", Request: AcceptInviteInput{}},
		func(w http.ResponseWriter, r *http.Request) {
			decoded(w, r, func(in AcceptInviteInput) {
				if err := s.AcceptInvite(r.Context(), in); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.NoContent(w)
			})
		})
	rt.HandleFunc("GET", "/api/auth/totp", httpapi.Op{ID: "totpStatus", Tag: "auth",
		Summary: "Your two-factor state", Response: TOTPStatus{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			st, err := s.TOTPStatusOf(r.Context())
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.JSON(w, r, http.StatusOK, st)
		})
	rt.HandleFunc("POST", "/api/auth/totp/setup", httpapi.Op{ID: "totpSetup", Errors: []int{http.StatusConflict, http.StatusTooManyRequests}, Tag: "auth",
		Summary: "Start enrolling an authenticator app (your password is required): a new secret and its otpauth:// URL (for a QR code)",
		Request: PasswordInput{}, Response: TOTPSetup{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			decoded(w, r, func(in PasswordInput) {
				out, err := s.SetupTOTP(r.Context(), SessionFrom(r.Context()), in)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.JSON(w, r, http.StatusOK, out)
			})
		})
	rt.HandleFunc("POST", "/api/auth/totp/confirm", httpapi.Op{ID: "totpConfirm", Errors: []int{http.StatusConflict}, Tag: "auth",
		Summary: "Turn two-factor on with a code from the app; answers ten one-time recovery codes, shown once",
		Request: TOTPCodeInput{}, Response: RecoveryCodes{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			decoded(w, r, func(in TOTPCodeInput) {
				out, err := s.ConfirmTOTP(r.Context(), SessionFrom(r.Context()), in)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.JSON(w, r, http.StatusOK, out)
			})
		})
	rt.HandleFunc("POST", "/api/auth/totp/disable", httpapi.Op{ID: "totpDisable", Errors: []int{http.StatusConflict, http.StatusTooManyRequests}, Tag: "auth", Status: http.StatusNoContent,
		Summary: "Turn two-factor off (your password is required; refused when a role requires it)", Request: PasswordInput{}},
		func(w http.ResponseWriter, r *http.Request) {
			decoded(w, r, func(in PasswordInput) {
				if err := s.DisableTOTP(r.Context(), SessionFrom(r.Context()), in); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.NoContent(w)
			})
		})
	rt.HandleFunc("POST", "/api/auth/totp/recovery-codes", httpapi.Op{ID: "totpRecoveryCodes", Errors: []int{http.StatusConflict, http.StatusTooManyRequests}, Tag: "auth",
		Summary: "Replace your recovery codes (your password is required); the new ones are shown once",
		Request: PasswordInput{}, Response: RecoveryCodes{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			decoded(w, r, func(in PasswordInput) {
				out, err := s.RegenerateRecoveryCodes(r.Context(), SessionFrom(r.Context()), in)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.JSON(w, r, http.StatusOK, out)
			})
		})
	rt.HandleFunc("POST", "/api/auth/password", httpapi.Op{ID: "changePassword", Errors: []int{http.StatusTooManyRequests}, Tag: "auth", Status: http.StatusNoContent,
		Summary: "Change your password (the current one is required); your other sessions end", Request: ChangePasswordInput{}},
		func(w http.ResponseWriter, r *http.Request) {
			decoded(w, r, func(in ChangePasswordInput) {
				if err := s.ChangePassword(r.Context(), SessionFrom(r.Context()), in); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.NoContent(w)
			})
		})
}
