package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

func loginTOTP(t *testing.T, in *testkit.Instance, email, code string) *testkit.Response {
	return in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": email, "password": testkit.TestPassword, "totp": code})
}

// enrol turns TOTP on for c, whose password is testkit.TestPassword, and
// returns the secret and recovery codes.
func enrol(t *testing.T, c *testkit.Client) (string, []string) {
	return enrolWith(t, c, testkit.TestPassword)
}

// enrolWith is enrol for a user with another password.
func enrolWith(t *testing.T, c *testkit.Client, password string) (string, []string) {
	t.Helper()
	var setup struct {
		Secret     string `json:"secret"`
		OTPAuthURL string `json:"otpauth_url"`
	}
	r := c.Do("POST", "/api/auth/totp/setup", map[string]string{"password": password})
	if r.Status != 200 {
		t.Fatalf("setup: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &setup)
	if !strings.HasPrefix(setup.OTPAuthURL, "otpauth://totp/Pishkhan:") || !strings.Contains(setup.OTPAuthURL, "secret="+setup.Secret) {
		t.Fatalf("setup: %+v", setup)
	}
	wantError(t, c.Do("POST", "/api/auth/totp/confirm", map[string]string{"code": "000000"}), 422, "VALIDATION_FAILED")
	// confirmation uses the current step's code up
	r = c.Do("POST", "/api/auth/totp/confirm", map[string]string{"code": testkit.TOTP(setup.Secret, time.Now())})
	if r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	var codes struct {
		Codes []string `json:"recovery_codes"`
	}
	r.JSON(t, &codes)
	if len(codes.Codes) != 10 {
		t.Fatalf("recovery codes: %v", codes.Codes)
	}
	return setup.Secret, codes.Codes
}

// TestTwoFactor checks TOTP enrolment and login (issue 4) in both modes.
func TestTwoFactor(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")

			t.Run("the code is asked for only after the password, once per step, with one step of skew", func(t *testing.T) {
				in.CreateUser(t, "two@example.com", "orders.view")
				c := in.LoggedIn(t, "two@example.com")
				secret, _ := enrol(t, c)
				wantError(t, in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": "two@example.com", "password": "wrong password!"}),
					401, "INVALID_CREDENTIALS")
				r := loginTOTP(t, in, "two@example.com", "")
				wantError(t, r, 401, "TOTP_REQUIRED")
				if len(r.Header.Values("Set-Cookie")) != 0 {
					t.Fatal("a login waiting for its code must not open a session")
				}
				wantError(t, loginTOTP(t, in, "two@example.com", "123456"), 401, "INVALID_TOTP")
				// codes two steps away are refused; the next step's (a fast clock) is accepted
				wantError(t, loginTOTP(t, in, "two@example.com", testkit.TOTP(secret, time.Now().Add(-60*time.Second))), 401, "INVALID_TOTP")
				next := testkit.TOTP(secret, time.Now().Add(30*time.Second))
				if r := loginTOTP(t, in, "two@example.com", next); r.Status != 200 {
					t.Fatalf("login with the next step's code: %d %s", r.Status, r.Body)
				}
				// that code, and any older one, is used up
				wantError(t, loginTOTP(t, in, "two@example.com", next), 401, "INVALID_TOTP")
				wantError(t, loginTOTP(t, in, "two@example.com", testkit.TOTP(secret, time.Now())), 401, "INVALID_TOTP")
				var n int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs WHERE action = 'auth.login_failed'
					AND changes LIKE '%totp%'`).Scan(&n)
				if n < 3 {
					t.Fatalf("failed second factors must be audited, got %d rows", n)
				}
			})

			t.Run("recovery codes work once each", func(t *testing.T) {
				in.CreateUser(t, "lost@example.com", "orders.view")
				_, codes := enrol(t, in.LoggedIn(t, "lost@example.com"))
				if r := loginTOTP(t, in, "lost@example.com", strings.ToUpper(codes[3])); r.Status != 200 {
					t.Fatalf("recovery code: %d %s", r.Status, r.Body)
				}
				wantError(t, loginTOTP(t, in, "lost@example.com", codes[3]), 401, "INVALID_TOTP")
				c := in.Client(t)
				c.Do("POST", "/api/auth/login", map[string]string{"email": "lost@example.com", "password": testkit.TestPassword, "totp": codes[4]})
				var st struct {
					Enabled bool `json:"enabled"`
					Left    int  `json:"recovery_codes_left"`
				}
				c.Do("GET", "/api/auth/totp", nil).JSON(t, &st)
				if !st.Enabled || st.Left != 8 {
					t.Fatalf("status: %+v", st)
				}
				var stored string
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT code_hash FROM recovery_codes LIMIT 1`).Scan(&stored)
				for _, code := range codes {
					if strings.Contains(stored, strings.ReplaceAll(code, "-", "")) {
						t.Fatal("recovery codes must be stored hashed")
					}
				}
			})

			t.Run("turning it off needs the password", func(t *testing.T) {
				in.CreateUser(t, "off@example.com", "orders.view")
				c := in.LoggedIn(t, "off@example.com")
				enrol(t, c)
				wantError(t, c.Do("POST", "/api/auth/totp/setup", map[string]string{"password": testkit.TestPassword}), 409, "CONFLICT")
				wantError(t, c.Do("POST", "/api/auth/totp/disable", map[string]string{"password": "not mine!"}), 422, "VALIDATION_FAILED")
				if r := c.Do("POST", "/api/auth/totp/disable", map[string]string{"password": testkit.TestPassword}); r.Status != 204 {
					t.Fatalf("disable: %d %s", r.Status, r.Body)
				}
				if r := loginTOTP(t, in, "off@example.com", ""); r.Status != 200 {
					t.Fatalf("login without a second factor: %d", r.Status)
				}
			})

			t.Run("a role can require it: no permission until enrolled", func(t *testing.T) {
				root := in.LoggedIn(t, "root@example.com")
				var role struct{ ID int64 }
				root.Do("POST", "/api/roles", map[string]any{"name": "Cashiers", "permissions": []string{"orders.view"}, "require_totp": true}).JSON(t, &role)
				var cu createdUser
				root.Do("POST", "/api/users", map[string]any{"email": "cashier@example.com", "role_ids": []int64{role.ID}}).JSON(t, &cu)
				acceptInvite(t, in, cu.Invite.URL, goodPassword)
				c := in.Client(t)
				if r := c.Do("POST", "/api/auth/login", map[string]string{"email": "cashier@example.com", "password": goodPassword}); r.Status != 200 {
					t.Fatalf("login before enrolment: %d %s", r.Status, r.Body)
				}
				me := c.Do("GET", "/api/auth/me", nil).Map(t)
				c.CSRF = me["csrf_token"].(string)
				if me["totp_setup_required"] != true || fmt.Sprint(me["permissions"]) != "[]" {
					t.Fatalf("me before enrolment: %v", me)
				}
				wantError(t, c.Do("GET", "/api/orders", nil), 403, "PERMISSION_DENIED")
				// a token made before the role required it holds nothing either
				var early createdToken
				root.Do("PATCH", fmt.Sprintf("/api/roles/%d", role.ID), map[string]any{"require_totp": false})
				c.Do("POST", "/api/tokens", map[string]any{"name": "early", "permissions": []string{"orders.view"}, "expires_at": time.Now().Add(time.Hour)}).JSON(t, &early)
				root.Do("PATCH", fmt.Sprintf("/api/roles/%d", role.ID), map[string]any{"require_totp": true})
				wantError(t, bearer(in, t, early.Secret)("GET", "/api/orders", nil), 403, "PERMISSION_DENIED")
				enrolWith(t, c, goodPassword)
				if r := bearer(in, t, early.Secret)("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("the token after enrolment: %d", r.Status)
				}
				if r := c.Do("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("after enrolment: %d %s", r.Status, r.Body)
				}
				wantError(t, c.Do("POST", "/api/auth/totp/disable", map[string]string{"password": goodPassword}), 409, "CONFLICT")
			})

			t.Run("API tokens cannot change the second factor", func(t *testing.T) {
				in.CreateUser(t, "bot@example.com", "orders.view")
				tok := newToken(t, in.LoggedIn(t, "bot@example.com"), []string{"orders.view"}, time.Now().Add(time.Hour))
				wantError(t, bearer(in, t, tok.Secret)("POST", "/api/auth/totp/setup", map[string]string{"password": testkit.TestPassword}), 403, "PERMISSION_DENIED")
			})
		})
	}
}
