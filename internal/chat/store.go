package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// The chat room's data access. Every query is written once with "?"
// placeholders and runs on both engines.

var errNoRow = errors.New("chat row not found")

type scanner interface{ Scan(...any) error }

func noRow(err error) error {
	if errors.Is(err, db.ErrNoRows) {
		return errNoRow
	}
	return err
}

// ---- FAQ entries

const faqCols = `f.id, f.lang, f.question, f.answer, f.phrasings, f.created_by, COALESCE(u.email, ''), f.created_at, f.updated_at`

const faqFrom = ` FROM chat_faq f LEFT JOIN users u ON u.id = f.created_by`

func scanFAQ(row scanner) (FAQ, error) {
	var f FAQ
	var phrasings, email string
	var by sql.NullInt64
	err := row.Scan(&f.ID, &f.Lang, &f.Question, &f.Answer, &phrasings, &by, &email,
		db.Time{T: &f.CreatedAt}, db.Time{T: &f.UpdatedAt})
	if err != nil {
		return f, noRow(err)
	}
	f.Phrasings = splitLines(phrasings)
	if by.Valid {
		f.CreatedBy = &Actor{ID: by.Int64, Email: email}
	}
	return f, nil
}

func splitLines(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

func getFAQ(ctx context.Context, q db.Querier, id int64) (FAQ, error) {
	return scanFAQ(q.QueryRow(ctx, `SELECT `+faqCols+faqFrom+` WHERE f.id = ?`, id))
}

// faqsByID reads the entries of ids (those that exist).
func faqsByID(ctx context.Context, q db.Querier, ids []int64) (map[int64]FAQ, error) {
	out := map[int64]FAQ{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT `+faqCols+faqFrom+` WHERE f.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			return nil, err
		}
		out[f.ID] = f
	}
	return out, rows.Err()
}

func listFAQ(ctx context.Context, q db.Querier, lang Lang, ids []int64, tail string, args ...any) ([]FAQ, error) {
	where, pre := faqWhere(lang, ids)
	rows, err := q.Query(ctx, `SELECT `+faqCols+faqFrom+` WHERE 1=1`+where+tail, append(pre, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FAQ{}
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// faqWhere filters by language ("" for any) and by ids (nil for any; empty
// for none).
func faqWhere(lang Lang, ids []int64) (string, []any) {
	var where string
	var args []any
	if lang != "" {
		where, args = " AND f.lang = ?", []any{string(lang)}
	}
	if ids != nil {
		if len(ids) == 0 {
			return where + " AND 1=0", args
		}
		where += " AND f.id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	return where, args
}

func countFAQ(ctx context.Context, q db.Querier, lang Lang, ids []int64) (int64, error) {
	where, args := faqWhere(lang, ids)
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM chat_faq f WHERE 1=1`+where, args...).Scan(&n)
	return n, err
}

func insertFAQ(ctx context.Context, tx *db.Tx, f FAQ, by int64, now time.Time) (int64, error) {
	var creator any
	if by > 0 {
		creator = by
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO chat_faq (lang, question, answer, phrasings, version, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		string(f.Lang), f.Question, f.Answer, strings.Join(f.Phrasings, "\n"), creator, now, now).Scan(&id)
	return id, err
}

func updateFAQ(ctx context.Context, tx *db.Tx, f FAQ, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE chat_faq SET lang = ?, question = ?, answer = ?, phrasings = ?, version = version + 1,
		updated_at = ? WHERE id = ?`, string(f.Lang), f.Question, f.Answer, strings.Join(f.Phrasings, "\n"), now, f.ID)
	return err
}

func deleteFAQ(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM chat_faq WHERE id = ?`, id)
	return err
}

// ---- conversations

// stored is a conversation row with what the inbox does not show.
type stored struct {
	Conversation
	tokenHash   string
	agentSeenID int64
}

const convCols = `c.id, c.lang, c.state, c.token_hash, c.assignee_id, COALESCE(u.email, ''), c.agent_seen_id,
	(SELECT COUNT(*) FROM chat_messages m WHERE m.conversation_id = c.id AND m.role = 'visitor' AND m.id > c.agent_seen_id),
	COALESCE((SELECT m.text FROM chat_messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1), ''),
	c.created_at, c.updated_at, c.last_message_at`

const convFrom = ` FROM chat_conversations c LEFT JOIN users u ON u.id = c.assignee_id`

// lastMessageRunes is how much of the newest message the inbox shows.
const lastMessageRunes = 140

func scanConv(row scanner) (stored, error) {
	var c stored
	var assignee sql.NullInt64
	var email string
	err := row.Scan(&c.ID, &c.Lang, &c.State, &c.tokenHash, &assignee, &email, &c.agentSeenID, &c.Unread, &c.LastMessage,
		db.Time{T: &c.CreatedAt}, db.Time{T: &c.UpdatedAt}, db.Time{T: &c.LastMessageAt})
	if err != nil {
		return c, noRow(err)
	}
	if assignee.Valid {
		c.Assignee = &Actor{ID: assignee.Int64, Email: email}
	}
	if r := []rune(c.LastMessage); len(r) > lastMessageRunes {
		c.LastMessage = string(r[:lastMessageRunes]) + "…"
	}
	return c, nil
}

func getConv(ctx context.Context, q db.Querier, id int64) (stored, error) {
	return scanConv(q.QueryRow(ctx, `SELECT `+convCols+convFrom+` WHERE c.id = ?`, id))
}

func listConvs(ctx context.Context, q db.Querier, state State, tail string, args ...any) ([]Conversation, error) {
	where, pre := convWhere(state)
	rows, err := q.Query(ctx, `SELECT `+convCols+convFrom+` WHERE 1=1`+where+tail, append(pre, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		c, err := scanConv(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c.Conversation)
	}
	return out, rows.Err()
}

func convWhere(state State) (string, []any) {
	if state == "" {
		return "", nil
	}
	return " AND c.state = ?", []any{string(state)}
}

func countConvs(ctx context.Context, q db.Querier, state State) (int64, error) {
	where, args := convWhere(state)
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM chat_conversations c WHERE 1=1`+where, args...).Scan(&n)
	return n, err
}

func insertConv(ctx context.Context, tx *db.Tx, lang Lang, tokenHash string, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO chat_conversations (lang, token_hash, state, agent_seen_id, created_at, updated_at,
		last_message_at) VALUES (?, ?, ?, 0, ?, ?, ?) RETURNING id`, string(lang), tokenHash, string(StateBot), now, now, now).Scan(&id)
	return id, err
}

// setState moves a conversation from one state to another, naming its
// assignee; false when it was no longer in from (a concurrent change won).
func setState(ctx context.Context, tx *db.Tx, id int64, from, to State, assignee *int64, now time.Time) (bool, error) {
	var a any
	if assignee != nil {
		a = *assignee
	}
	r, err := tx.Exec(ctx, `UPDATE chat_conversations SET state = ?, assignee_id = ?, updated_at = ? WHERE id = ? AND state = ?`,
		string(to), a, now, id, string(from))
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// markSeen records that an agent has seen the conversation up to message id.
func markSeen(ctx context.Context, tx *db.Tx, id, upTo int64) error {
	_, err := tx.Exec(ctx, `UPDATE chat_conversations SET agent_seen_id = ? WHERE id = ? AND agent_seen_id < ?`, upTo, id, upTo)
	return err
}

func lastMessageID(ctx context.Context, q db.Querier, conv int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM chat_messages WHERE conversation_id = ?`, conv).Scan(&id)
	return id, err
}

func unreadCounts(ctx context.Context, q db.Querier) (Unread, error) {
	var u Unread
	err := q.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM chat_conversations WHERE state = 'waiting'),
		(SELECT COUNT(*) FROM chat_messages m JOIN chat_conversations c ON c.id = m.conversation_id
			WHERE c.state IN ('waiting', 'agent') AND m.role = 'visitor' AND m.id > c.agent_seen_id)`).Scan(&u.Waiting, &u.Messages)
	return u, err
}

// ---- messages

const msgCols = `m.id, m.role, m.text, m.sources, m.author_id, COALESCE(u.email, ''), m.created_at`

const msgFrom = ` FROM chat_messages m LEFT JOIN users u ON u.id = m.author_id`

func scanMsg(row scanner) (PanelMessage, error) {
	var m PanelMessage
	var sources, email string
	var author sql.NullInt64
	err := row.Scan(&m.ID, &m.Role, &m.Text, &sources, &author, &email, db.Time{T: &m.At})
	if err != nil {
		return m, noRow(err)
	}
	m.Sources = []Source{}
	if err := json.Unmarshal([]byte(sources), &m.Sources); err != nil {
		return m, err
	}
	if author.Valid {
		m.Author = &Actor{ID: author.Int64, Email: email}
	}
	return m, nil
}

// messages returns a conversation's messages after id after, oldest first,
// at most limit (0: all).
func messages(ctx context.Context, q db.Querier, conv, after int64, limit int) ([]PanelMessage, error) {
	query := `SELECT ` + msgCols + msgFrom + ` WHERE m.conversation_id = ? AND m.id > ? ORDER BY m.id`
	args := []any{conv, after}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PanelMessage{}
	for rows.Next() {
		m, err := scanMsg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func getMsg(ctx context.Context, q db.Querier, conv, id int64) (PanelMessage, error) {
	return scanMsg(q.QueryRow(ctx, `SELECT `+msgCols+msgFrom+` WHERE m.conversation_id = ? AND m.id = ?`, conv, id))
}

// visitorBefore is the text of the visitor's last message before message id.
func visitorBefore(ctx context.Context, q db.Querier, conv, id int64) (string, error) {
	var text string
	err := q.QueryRow(ctx, `SELECT text FROM chat_messages WHERE conversation_id = ? AND id < ? AND role = 'visitor'
		ORDER BY id DESC LIMIT 1`, conv, id).Scan(&text)
	return text, noRow(err)
}

// msgByKey finds the message a visitor sent with an Idempotency-Key.
func msgByKey(ctx context.Context, q db.Querier, conv int64, key string) (int64, string, error) {
	var id int64
	var text string
	err := q.QueryRow(ctx, `SELECT id, text FROM chat_messages WHERE conversation_id = ? AND client_key = ?`, conv, key).Scan(&id, &text)
	return id, text, noRow(err)
}

func insertMsg(ctx context.Context, tx *db.Tx, conv int64, role Role, text string, sources []Source, author int64,
	clientKey string, now time.Time) (int64, error) {
	if sources == nil {
		sources = []Source{}
	}
	src, err := json.Marshal(sources)
	if err != nil {
		return 0, err
	}
	var a, key any
	if author > 0 {
		a = author
	}
	if clientKey != "" {
		key = clientKey
	}
	var id int64
	// db.Scan maps a unique violation (a client key sent twice at once) to db.ErrUniqueViolation
	err = db.Scan(tx.QueryRow(ctx, `INSERT INTO chat_messages (conversation_id, role, text, sources, author_id, client_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, conv, string(role), text, string(src), a, key, now), &id)
	if err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx, `UPDATE chat_conversations SET last_message_at = ?, updated_at = ? WHERE id = ?`, now, now, conv)
	return id, err
}

// ---- canned replies

const cannedCols = `id, title, text, lang, created_at, updated_at`

func scanCanned(row scanner) (Canned, error) {
	var c Canned
	err := row.Scan(&c.ID, &c.Title, &c.Text, &c.Lang, db.Time{T: &c.CreatedAt}, db.Time{T: &c.UpdatedAt})
	return c, noRow(err)
}

func listCanned(ctx context.Context, q db.Querier) ([]Canned, error) {
	rows, err := q.Query(ctx, `SELECT `+cannedCols+` FROM chat_canned ORDER BY lang, title, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Canned{}
	for rows.Next() {
		c, err := scanCanned(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func getCanned(ctx context.Context, q db.Querier, id int64) (Canned, error) {
	return scanCanned(q.QueryRow(ctx, `SELECT `+cannedCols+` FROM chat_canned WHERE id = ?`, id))
}

func insertCanned(ctx context.Context, tx *db.Tx, in CannedInput, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO chat_canned (title, text, lang, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		in.Title, in.Text, string(in.Lang), now, now).Scan(&id)
	return id, err
}

func updateCanned(ctx context.Context, tx *db.Tx, id int64, in CannedInput, now time.Time) (bool, error) {
	r, err := tx.Exec(ctx, `UPDATE chat_canned SET title = ?, text = ?, lang = ?, updated_at = ? WHERE id = ?`,
		in.Title, in.Text, string(in.Lang), now, id)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

func deleteCanned(ctx context.Context, tx *db.Tx, id int64) (bool, error) {
	r, err := tx.Exec(ctx, `DELETE FROM chat_canned WHERE id = ?`, id)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}
