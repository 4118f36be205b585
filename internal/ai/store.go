package ai

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
)

// The room's data access. Every query is written once with "?"
// placeholders and runs on both engines.

var errNoRow = errors.New("ai row not found")

// storedProvider is an ai_providers row: the API's provider plus its sealed
// key and version.
type storedProvider struct {
	Provider
	sealedKey string
	version   int64
}

const providerCols = `p.id, p.name, p.source, p.base_url, p.api_key_sealed, p.chat_model, p.image_model, p.embedding_model,
	p.input_price, p.output_price, p.image_price, p.currency, p.stream_usage, p.enabled, p.is_default, p.version,
	p.created_by, COALESCE(u.email, ''), p.created_at, p.updated_at`

const providerFrom = ` FROM ai_providers p LEFT JOIN users u ON u.id = p.created_by`

func scanProvider(row interface{ Scan(...any) error }) (storedProvider, error) {
	var p storedProvider
	var by sql.NullInt64
	var email string
	err := row.Scan(&p.ID, &p.Name, &p.Source, &p.BaseURL, &p.sealedKey, &p.ChatModel, &p.ImageModel, &p.EmbeddingModel,
		&p.InputPricePerMillion, &p.OutputPricePerMillion, &p.ImagePrice, &p.Currency, &p.StreamUsage, &p.Enabled,
		&p.IsDefault, &p.version, &by, &email, db.Time{T: &p.CreatedAt}, db.Time{T: &p.UpdatedAt})
	if errors.Is(err, db.ErrNoRows) {
		return p, errNoRow
	}
	p.HasKey = p.sealedKey != ""
	if by.Valid {
		p.CreatedBy = &Actor{ID: by.Int64, Email: email}
	}
	return p, err
}

func getProvider(ctx context.Context, q db.Querier, id int64) (storedProvider, error) {
	return scanProvider(q.QueryRow(ctx, `SELECT `+providerCols+providerFrom+` WHERE p.id = ?`, id))
}

func getEnvProvider(ctx context.Context, q db.Querier) (storedProvider, error) {
	return scanProvider(q.QueryRow(ctx, `SELECT `+providerCols+providerFrom+` WHERE p.source = ?`, string(SourceEnv)))
}

// listProviders runs the list's SELECT with tail appended to its WHERE clause.
func listProviders(ctx context.Context, q db.Querier, tail string, args ...any) ([]storedProvider, error) {
	rows, err := q.Query(ctx, `SELECT `+providerCols+providerFrom+` WHERE 1=1`+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []storedProvider{}
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func countProviders(ctx context.Context, q db.Querier) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM ai_providers`).Scan(&n)
	return n, err
}

// enabledProviders are the enabled providers in the order a call tries
// them: the default, then the environment's, then by id.
func enabledProviders(ctx context.Context, q db.Querier) ([]storedProvider, error) {
	return listProviders(ctx, q, ` AND p.enabled = ? ORDER BY p.is_default DESC, CASE WHEN p.source = ? THEN 0 ELSE 1 END, p.id`,
		true, string(SourceEnv))
}

func insertProvider(ctx context.Context, tx *db.Tx, p storedProvider, createdBy int64, now time.Time) (int64, error) {
	var by any
	if createdBy > 0 {
		by = createdBy
	}
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO ai_providers (name, source, base_url, api_key_sealed, chat_model, image_model,
		embedding_model, input_price, output_price, image_price, currency, stream_usage, enabled, is_default, version,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		p.Name, string(p.Source), p.BaseURL, p.sealedKey, p.ChatModel, p.ImageModel, p.EmbeddingModel,
		p.InputPricePerMillion, p.OutputPricePerMillion, p.ImagePrice, p.Currency, p.StreamUsage, p.Enabled, p.IsDefault,
		by, now, now), &id)
	return id, err
}

// updateProvider writes every changeable field and bumps the version.
func updateProvider(ctx context.Context, tx *db.Tx, p storedProvider, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE ai_providers SET name = ?, base_url = ?, api_key_sealed = ?, chat_model = ?,
		image_model = ?, embedding_model = ?, input_price = ?, output_price = ?, image_price = ?, currency = ?,
		stream_usage = ?, enabled = ?, is_default = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		p.Name, p.BaseURL, p.sealedKey, p.ChatModel, p.ImageModel, p.EmbeddingModel, p.InputPricePerMillion,
		p.OutputPricePerMillion, p.ImagePrice, p.Currency, p.StreamUsage, p.Enabled, p.IsDefault, now, p.ID)
	return err
}

// clearDefault makes no provider but except the default; it returns the
// ids that stopped being it.
func clearDefault(ctx context.Context, tx *db.Tx, except int64, now time.Time) ([]int64, error) {
	ids, err := db.Int64s(ctx, tx, `SELECT id FROM ai_providers WHERE is_default = ? AND id <> ?`, true, except)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	_, err = tx.Exec(ctx, `UPDATE ai_providers SET is_default = ?, version = version + 1, updated_at = ? WHERE is_default = ? AND id <> ?`,
		false, now, true, except)
	return ids, err
}

func deleteProvider(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM ai_providers WHERE id = ?`, id)
	return err
}

// sealedKeys returns every provider's sealed key (for CheckKeys and Reseal).
func sealedKeys(ctx context.Context, q db.Querier) (map[int64]string, error) {
	rows, err := q.Query(ctx, `SELECT id, api_key_sealed FROM ai_providers WHERE api_key_sealed <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var sealed string
		if err := rows.Scan(&id, &sealed); err != nil {
			return nil, err
		}
		out[id] = sealed
	}
	return out, rows.Err()
}

// resealKey swaps a provider's sealed key when it is still from, so a
// change made meanwhile is never overwritten.
func resealKey(ctx context.Context, q db.Querier, id int64, from, to string) (bool, error) {
	r, err := q.Exec(ctx, `UPDATE ai_providers SET api_key_sealed = ? WHERE id = ? AND api_key_sealed = ?`, to, id, from)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// roleIDs are a user's roles (their budgets apply to the user).
func roleIDs(ctx context.Context, q db.Querier, userID int64) ([]int64, error) {
	return db.Int64s(ctx, q, `SELECT role_id FROM user_roles WHERE user_id = ? ORDER BY role_id`, userID)
}

// subjectExists reports whether a budget's role or user exists.
func subjectExists(ctx context.Context, q db.Querier, scope string, id int64) (bool, error) {
	table := "users"
	if scope == "role" {
		table = "roles"
	}
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// budgetsIn reads every budget in tx (for the audit row's "from").
func budgetsIn(ctx context.Context, q db.Querier) ([]llm.Budget, error) {
	rows, err := q.Query(ctx, `SELECT scope, subject_id, period, max_tokens, max_cost FROM ai_budgets ORDER BY scope, subject_id, period`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []llm.Budget{}
	for rows.Next() {
		var b llm.Budget
		if err := rows.Scan(&b.Scope, &b.ID, &b.Period, &b.MaxTokens, &b.MaxCost); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// usageRow is one ledger row as the report and the export read it.
type usageRow struct {
	id, userID                  int64
	email, feature, provider    string
	model, status, outcome      string
	currency                    string
	input, output, images, cost int64
	latencyMS                   int64
	estimated                   bool
	at                          time.Time
}

// usageRows reads the ledger between from (inclusive) and to (exclusive), oldest first.
func usageRows(ctx context.Context, q db.Querier, from, to time.Time) ([]usageRow, error) {
	rows, err := q.Query(ctx, `SELECT g.id, COALESCE(g.user_id, 0), COALESCE(u.email, ''), g.feature, g.provider, g.model,
		g.status, g.outcome, g.currency, g.input_tokens, g.output_tokens, g.images, g.cost, g.latency_ms, g.estimated, g.at
		FROM ai_usage g LEFT JOIN users u ON u.id = g.user_id WHERE g.at >= ? AND g.at < ? ORDER BY g.at, g.id LIMIT ?`,
		from, to, MaxExportRows+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []usageRow
	for rows.Next() {
		var r usageRow
		if err := rows.Scan(&r.id, &r.userID, &r.email, &r.feature, &r.provider, &r.model, &r.status, &r.outcome, &r.currency,
			&r.input, &r.output, &r.images, &r.cost, &r.latencyMS, &r.estimated, db.Time{T: &r.at}); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// storedTemplate is an ai_templates row.
type storedTemplate struct {
	Template
	version int64
}

// input is the template as the body that would create it.
func (t storedTemplate) input() TemplateInput {
	return TemplateInput{Slug: t.Slug, Name: t.Name, Description: t.Description, SystemPrompt: t.SystemPrompt,
		UserPrompt: t.UserPrompt, Variables: t.Variables}
}

const templateCols = `t.id, t.slug, t.name, t.description, t.system_prompt, t.user_prompt, t.variables, t.builtin, t.version,
	t.updated_by, COALESCE(u.email, ''), t.created_at, t.updated_at`

const templateFrom = ` FROM ai_templates t LEFT JOIN users u ON u.id = t.updated_by`

func scanTemplate(row interface{ Scan(...any) error }) (storedTemplate, error) {
	var t storedTemplate
	var vars string
	var by sql.NullInt64
	var email string
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.Description, &t.SystemPrompt, &t.UserPrompt, &vars, &t.Builtin, &t.version,
		&by, &email, db.Time{T: &t.CreatedAt}, db.Time{T: &t.UpdatedAt})
	if errors.Is(err, db.ErrNoRows) {
		return t, errNoRow
	}
	if err != nil {
		return t, err
	}
	if by.Valid {
		t.UpdatedBy = &Actor{ID: by.Int64, Email: email}
	}
	t.Variables = []Variable{}
	return t, json.Unmarshal([]byte(vars), &t.Variables)
}

func getTemplate(ctx context.Context, q db.Querier, id int64) (storedTemplate, error) {
	return scanTemplate(q.QueryRow(ctx, `SELECT `+templateCols+templateFrom+` WHERE t.id = ?`, id))
}

func getTemplateBySlug(ctx context.Context, q db.Querier, slug string) (storedTemplate, error) {
	return scanTemplate(q.QueryRow(ctx, `SELECT `+templateCols+templateFrom+` WHERE t.slug = ?`, slug))
}

func listTemplates(ctx context.Context, q db.Querier, tail string, args ...any) ([]Template, error) {
	rows, err := q.Query(ctx, `SELECT `+templateCols+templateFrom+` WHERE 1=1`+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Template{}
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t.Template)
	}
	return out, rows.Err()
}

func countTemplates(ctx context.Context, q db.Querier) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM ai_templates`).Scan(&n)
	return n, err
}

func insertTemplate(ctx context.Context, tx *db.Tx, in TemplateInput, builtin bool, by int64, now time.Time) (int64, error) {
	vars, err := json.Marshal(nonNilVars(in.Variables))
	if err != nil {
		return 0, err
	}
	var who any
	if by > 0 {
		who = by
	}
	var id int64
	err = db.Scan(tx.QueryRow(ctx, `INSERT INTO ai_templates (slug, name, description, system_prompt, user_prompt, variables,
		builtin, version, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		in.Slug, in.Name, in.Description, in.SystemPrompt, in.UserPrompt, string(vars), builtin, who, now, now), &id)
	return id, err
}

func updateTemplate(ctx context.Context, tx *db.Tx, id int64, in TemplateInput, by *authz.Principal, now time.Time) error {
	vars, err := json.Marshal(nonNilVars(in.Variables))
	if err != nil {
		return err
	}
	var who any
	if by != nil && by.UserID > 0 {
		who = by.UserID
	}
	_, err = tx.Exec(ctx, `UPDATE ai_templates SET name = ?, description = ?, system_prompt = ?, user_prompt = ?, variables = ?,
		updated_by = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		in.Name, in.Description, in.SystemPrompt, in.UserPrompt, string(vars), who, now, id)
	return err
}

func nonNilVars(v []Variable) []Variable {
	if v == nil {
		return []Variable{}
	}
	return v
}
