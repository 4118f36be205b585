package auth

import (
	"context"
	"errors"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// BuiltinRole is a role every installation has. Its permissions are set by
// this code at every start (EnsureBuiltinRoles), so an upgrade that adds a
// permission also grants it where it belongs.
type BuiltinRole struct {
	Name        string
	Description string
	// Permissions; nil means every permission in the catalogue.
	Permissions []authz.Permission
}

// BuiltinRoles are the built-in roles, most powerful first.
var BuiltinRoles = []BuiltinRole{
	{Name: "Administrator", Description: "Every permission (superuser status stays separate)"},
	{Name: "Manager", Description: "Runs the shop and the content; sees users and the audit log",
		Permissions: []authz.Permission{"orders.view", "orders.create", "orders.update_status", "customers.view_pii",
			"users.view", "audit.view", "stats.view", "media.view", "media.upload", "media.delete",
			"blog.view", "blog.edit", "blog.publish", "portfolio.view", "portfolio.edit", "ai.generate",
			"chatbot.view", "chatbot.manage"}},
	{Name: "Editor", Description: "Writes and publishes the blog and the portfolio, with media and AI",
		Permissions: []authz.Permission{"blog.view", "blog.edit", "blog.publish", "portfolio.view", "portfolio.edit",
			"media.view", "media.upload", "ai.generate"}},
	{Name: "Support", Description: "Answers customers: orders with their contact details, status changes, the chatbot",
		Permissions: []authz.Permission{"orders.view", "orders.update_status", "customers.view_pii", "chatbot.view"}},
	{Name: "Viewer", Description: "Reads orders (without contact details), statistics and content",
		Permissions: []authz.Permission{"orders.view", "stats.view", "media.view", "blog.view", "portfolio.view",
			"chatbot.view"}},
}

// permissionsOf returns r's permissions, the whole catalogue for nil.
func (r BuiltinRole) permissionsOf() []authz.Permission {
	if r.Permissions != nil {
		return r.Permissions
	}
	var all []authz.Permission
	for _, d := range authz.All() {
		all = append(all, d.Name)
	}
	return all
}

// EnsureBuiltinRoles creates the built-in roles and sets their permissions
// to this code's definition. A custom role already named like a built-in
// one becomes that built-in role. Safe to run from several instances at once.
func (s *Service) EnsureBuiltinRoles(ctx context.Context) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, r := range BuiltinRoles {
			var id int64
			err := db.Scan(tx.QueryRow(ctx, `INSERT INTO roles (name, description, builtin, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (name) DO UPDATE SET description = excluded.description, builtin = excluded.builtin
				RETURNING id`, r.Name, r.Description, true, time.Now()), &id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM role_permissions WHERE role_id = ?`, id); err != nil {
				return err
			}
			for _, p := range r.permissionsOf() {
				if _, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)
					ON CONFLICT DO NOTHING`, id, string(p)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.cache.Invalidate(ctx, AuthzTag)
	return nil
}

// RoleID returns the id of the role named name.
func (s *Service) RoleID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := db.Scan(s.db.Reader().QueryRow(ctx, `SELECT id FROM roles WHERE name = ?`, name), &id)
	if errors.Is(err, db.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}
