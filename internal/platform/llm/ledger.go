package llm

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// ReasonBudgetExceeded is details.reason of a call refused by a budget.
const ReasonBudgetExceeded = "budget_exceeded"

// Budget caps a user's provider calls per day or month, in tokens (input
// and output together) and/or cost (the minor unit of the providers'
// currency; every provider's cost counts as is). Scope "user" caps the
// user ID names; "role" caps each member of the role ID names, unless the
// member has a user budget of the same period, which then replaces them.
type Budget struct {
	Scope     string `json:"scope" doc:"role or user"`
	ID        int64  `json:"id" doc:"the role's or the user's id"`
	Period    string `json:"period" doc:"day or month, cut in TIMEZONE"`
	MaxTokens *int64 `json:"max_tokens,omitempty" doc:"input and output tokens together; omitted: no token cap"`
	MaxCost   *int64 `json:"max_cost,omitempty" doc:"in the minor unit of the providers' currency; omitted: no cost cap"`
}

// Budget scopes and periods.
const (
	ScopeRole   = "role"
	ScopeUser   = "user"
	PeriodDay   = "day"
	PeriodMonth = "month"
)

// Prices are a provider's prices in the minor unit of its currency.
type Prices struct {
	InputPerMillion, OutputPerMillion, PerImage int64
	Currency                                    string
}

// Cost is what u costs at p, rounded up to a whole minor unit.
func (p Prices) Cost(u Usage) int64 {
	tokens := new(big.Int).Mul(big.NewInt(max(u.InputTokens, 0)), big.NewInt(p.InputPerMillion))
	tokens.Add(tokens, new(big.Int).Mul(big.NewInt(max(u.OutputTokens, 0)), big.NewInt(p.OutputPerMillion)))
	million := big.NewInt(1_000_000)
	q, r := new(big.Int).QuoRem(tokens, million, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	q.Add(q, new(big.Int).Mul(big.NewInt(max(u.Images, 0)), big.NewInt(p.PerImage)))
	if !q.IsInt64() {
		return 1<<63 - 1
	}
	return q.Int64()
}

// Ledger records every provider call in the database (table ai_usage) and
// checks budgets before each: Reserve writes the call with what it may use
// at most, refusing it when that would pass a budget, in a transaction
// that holds the user's lock, so two concurrent calls cannot both pass;
// Settle writes what it used.
type Ledger struct {
	db  *db.DB
	loc *time.Location
	now func() time.Time
}

// NewLedger keeps the ledger in d; days and months are cut in loc.
func NewLedger(d *db.DB, loc *time.Location) *Ledger {
	if loc == nil {
		loc = time.UTC
	}
	return &Ledger{db: d, loc: loc, now: time.Now}
}

// Entry is one call about to be made.
type Entry struct {
	// UserID is who asks (0: nobody, e.g. a website visitor); RoleIDs are
	// the user's roles, whose budgets apply.
	UserID  int64
	RoleIDs []int64
	// Feature names what the call is for ("generate_text", "chat"…).
	Feature    string
	ProviderID int64
	Provider   string
	Model      string
	Prices     Prices
	// Reserve is the most the call may use (its prompt's estimate and its
	// output cap); its cost counts against the budgets until Settle.
	Reserve Usage
}

// Reservation is a call written to the ledger, to settle.
type Reservation struct {
	ID     int64
	Prices Prices
	start  time.Time
}

// budgetLock is the advisory-lock class of a user's budget (PostgreSQL);
// the object is the user id, so users' calls never wait for each other
// (but for ids equal modulo 2^32, harmlessly).
const budgetLock = 0x41490001

// Reserve checks the budgets that apply to e's user with e.Reserve added
// and writes the call as reserved. Over a budget it writes nothing and
// answers 429 RATE_LIMITED with details.reason "budget_exceeded",
// details.resets_at (when the period that refused ends) and Retry-After.
func (l *Ledger) Reserve(ctx context.Context, e Entry) (Reservation, error) {
	now := l.now().UTC().Truncate(time.Microsecond)
	reserveCost := e.Prices.Cost(e.Reserve)
	reserveTokens := e.Reserve.InputTokens + e.Reserve.OutputTokens
	var id int64
	err := l.db.InTx(ctx, func(tx *db.Tx) error {
		if e.UserID > 0 {
			if tx.Engine() == db.Postgres {
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), CAST(? AS INTEGER))`, int32(budgetLock), int32(e.UserID)); err != nil {
					return err
				}
			}
			if err := l.check(ctx, tx, e, now, reserveTokens, reserveCost); err != nil {
				return err
			}
		}
		var user any
		if e.UserID > 0 {
			user = e.UserID
		}
		var provider any
		if e.ProviderID > 0 {
			provider = e.ProviderID
		}
		return tx.QueryRow(ctx, `INSERT INTO ai_usage (at, user_id, feature, provider_id, provider, model, status,
			input_tokens, output_tokens, images, cost, currency, estimated) VALUES (?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?, ?)
			RETURNING id`, now, user, e.Feature, provider, e.Provider, e.Model, e.Reserve.InputTokens, e.Reserve.OutputTokens,
			e.Reserve.Images, reserveCost, e.Prices.Currency, true).Scan(&id)
	})
	if err != nil {
		return Reservation{}, err
	}
	return Reservation{ID: id, Prices: e.Prices, start: l.now()}, nil
}

// check refuses the call when a budget of its user would be passed.
func (l *Ledger) check(ctx context.Context, tx *db.Tx, e Entry, now time.Time, tokens, cost int64) error {
	budgets, err := budgetsOf(ctx, tx, e.UserID, e.RoleIDs)
	if err != nil {
		return err
	}
	var refusal error
	var latest time.Time
	for _, period := range []string{PeriodDay, PeriodMonth} {
		applicable := applicableBudgets(budgets, period)
		if len(applicable) == 0 {
			continue
		}
		start, end := l.period(now, period)
		var usedTokens, usedCost int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(input_tokens + output_tokens), 0), COALESCE(SUM(cost), 0)
			FROM ai_usage WHERE user_id = ? AND at >= ?`, e.UserID, start).Scan(&usedTokens, &usedCost); err != nil {
			return err
		}
		for _, b := range applicable {
			over := (b.MaxTokens != nil && usedTokens+tokens > *b.MaxTokens) || (b.MaxCost != nil && usedCost+cost > *b.MaxCost)
			if over && end.After(latest) {
				latest = end
				refusal = budgetExceeded(b, end, now)
			}
		}
	}
	return refusal
}

func budgetExceeded(b Budget, resets, now time.Time) error {
	wait := int(resets.Sub(now).Seconds()) + 1
	e := apperr.New(apperr.RateLimited, "the AI budget of this %s (%s) is used up until %s", b.Scope, b.Period, resets.UTC().Format(time.RFC3339)).
		WithReason(ReasonBudgetExceeded).WithDetail("resets_at", resets.UTC().Format(time.RFC3339)).
		WithDetail("scope", b.Scope).WithDetail("period", b.Period)
	e.RetryAfter = wait
	return e
}

// applicableBudgets: the user's own budget of period, else its roles'.
func applicableBudgets(budgets []Budget, period string) []Budget {
	var user, roles []Budget
	for _, b := range budgets {
		if b.Period != period {
			continue
		}
		if b.Scope == ScopeUser {
			user = append(user, b)
		} else {
			roles = append(roles, b)
		}
	}
	if len(user) > 0 {
		return user
	}
	return roles
}

// period returns the start and end of the day or month holding now, in
// the ledger's time zone.
func (l *Ledger) period(now time.Time, period string) (time.Time, time.Time) {
	t := now.In(l.loc)
	if period == PeriodMonth {
		start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, l.loc)
		return start, start.AddDate(0, 1, 0)
	}
	start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, l.loc)
	return start, start.AddDate(0, 0, 1)
}

// Settle writes what a reserved call used, its latency and outcome ("ok"
// or the failure's kind); the reservation's amounts stop counting. It runs
// whatever the call's context became (a cancelled job still pays).
func (l *Ledger) Settle(ctx context.Context, r Reservation, u Usage, outcome string) error {
	ctx = context.WithoutCancel(ctx)
	latency := l.now().Sub(r.start).Milliseconds()
	_, err := l.db.Writer().Exec(ctx, `UPDATE ai_usage SET status = 'settled', input_tokens = ?, output_tokens = ?, images = ?,
		cost = ?, estimated = ?, latency_ms = ?, outcome = ? WHERE id = ? AND status = 'reserved'`,
		u.InputTokens, u.OutputTokens, u.Images, r.Prices.Cost(u), u.Estimated, latency, outcome, r.ID)
	return err
}

// budgetsOf reads the budgets of a user and of its roles.
func budgetsOf(ctx context.Context, q db.Querier, userID int64, roleIDs []int64) ([]Budget, error) {
	rows, err := q.Query(ctx, `SELECT scope, subject_id, period, max_tokens, max_cost FROM ai_budgets
		WHERE (scope = 'user' AND subject_id = ?) OR scope = 'role'`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Budget
	for rows.Next() {
		b, err := scanBudget(rows)
		if err != nil {
			return nil, err
		}
		if b.Scope == ScopeRole && !slices.Contains(roleIDs, b.ID) {
			continue
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func scanBudget(row interface{ Scan(...any) error }) (Budget, error) {
	var b Budget
	var maxTokens, maxCost *int64
	if err := row.Scan(&b.Scope, &b.ID, &b.Period, &maxTokens, &maxCost); err != nil {
		return b, err
	}
	b.MaxTokens, b.MaxCost = maxTokens, maxCost
	return b, nil
}

// Budgets returns every budget, by scope, id and period.
func (l *Ledger) Budgets(ctx context.Context) ([]Budget, error) {
	rows, err := l.db.Reader().Query(ctx, `SELECT scope, subject_id, period, max_tokens, max_cost FROM ai_budgets
		ORDER BY scope, subject_id, period`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Budget{}
	for rows.Next() {
		b, err := scanBudget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ReplaceBudgets makes the budgets exactly items, in tx (the caller's
// change, with its audit row).
func ReplaceBudgets(ctx context.Context, tx *db.Tx, items []Budget) error {
	if _, err := tx.Exec(ctx, `DELETE FROM ai_budgets`); err != nil {
		return err
	}
	for _, b := range items {
		if _, err := tx.Exec(ctx, `INSERT INTO ai_budgets (scope, subject_id, period, max_tokens, max_cost) VALUES (?, ?, ?, ?, ?)`,
			b.Scope, b.ID, b.Period, b.MaxTokens, b.MaxCost); err != nil {
			return fmt.Errorf("budget %s %d %s: %w", b.Scope, b.ID, b.Period, err)
		}
	}
	return nil
}
