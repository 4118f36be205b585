package llm_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

func newUser(t *testing.T, d *db.DB, email string) int64 {
	t.Helper()
	var id int64
	now := time.Now().UTC()
	err := d.Writer().QueryRow(context.Background(), `INSERT INTO users (email, email_lower, password_hash, created_at, updated_at)
		VALUES (?, ?, 'x', ?, ?) RETURNING id`, email, email, now, now).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ptr(v int64) *int64 { return &v }

func setBudgets(t *testing.T, d *db.DB, items ...llm.Budget) {
	t.Helper()
	if err := d.InTx(context.Background(), func(tx *db.Tx) error { return llm.ReplaceBudgets(context.Background(), tx, items) }); err != nil {
		t.Fatal(err)
	}
}

var prices = llm.Prices{InputPerMillion: 1_000_000, OutputPerMillion: 2_000_000, PerImage: 500, Currency: "USD"}

func TestPricesCostRoundsUp(t *testing.T) {
	p := llm.Prices{InputPerMillion: 15, OutputPerMillion: 60}
	if got := p.Cost(llm.Usage{InputTokens: 1, OutputTokens: 1}); got != 1 {
		t.Fatalf("a token costs %d, want 1 (rounded up)", got)
	}
	if got := p.Cost(llm.Usage{InputTokens: 1_000_000, OutputTokens: 500_000}); got != 45 {
		t.Fatalf("cost %d, want 45", got)
	}
	if got := prices.Cost(llm.Usage{Images: 3}); got != 1500 {
		t.Fatalf("images cost %d", got)
	}
	huge := llm.Prices{InputPerMillion: 1 << 40}
	if got := huge.Cost(llm.Usage{InputTokens: 1 << 40}); got <= 0 {
		t.Fatalf("an overflow gave %d", got)
	}
}

// TestLedgerBudgets: on both engines, a call over a budget is refused with
// the contract's 429 and when it resets, a settled call counts what it
// used, a user budget replaces the role's, and concurrent calls cannot
// pass a budget together.
func TestLedgerBudgets(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			ctx := context.Background()
			tehran, _ := time.LoadLocation("Asia/Tehran")
			l := llm.NewLedger(d, tehran)
			alice := newUser(t, d, "alice@example.com")
			bob := newUser(t, d, "bob@example.com")
			const editors = 7
			setBudgets(t, d,
				llm.Budget{Scope: llm.ScopeRole, ID: editors, Period: llm.PeriodDay, MaxTokens: ptr(100)},
				llm.Budget{Scope: llm.ScopeUser, ID: bob, Period: llm.PeriodDay, MaxTokens: ptr(1000)},
				llm.Budget{Scope: llm.ScopeRole, ID: editors, Period: llm.PeriodMonth, MaxCost: ptr(1_000_000)})
			entry := func(user int64, reserve int64) llm.Entry {
				return llm.Entry{UserID: user, RoleIDs: []int64{editors}, Feature: "generate_text", ProviderID: 3,
					Provider: "fake", Model: "m", Prices: prices, Reserve: llm.Usage{InputTokens: reserve / 2, OutputTokens: reserve - reserve/2}}
			}

			r, err := l.Reserve(ctx, entry(alice, 60))
			if err != nil {
				t.Fatal(err)
			}
			// while reserved, the 60 count: 60 + 60 > 100
			_, err = l.Reserve(ctx, entry(alice, 60))
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.RateLimited || ae.Details["reason"] != llm.ReasonBudgetExceeded || ae.RetryAfter <= 0 {
				t.Fatalf("over budget: %v", err)
			}
			resets, perr := time.Parse(time.RFC3339, ae.Details["resets_at"].(string))
			if perr != nil {
				t.Fatal(perr)
			}
			if local := resets.In(tehran); local.Hour() != 0 || local.Minute() != 0 || !resets.After(time.Now()) || time.Until(resets) > 24*time.Hour {
				t.Fatalf("resets_at %v: want the next midnight in Tehran", local)
			}
			// settled at what it used (10 tokens), the next 60 fit
			if err := l.Settle(ctx, r, llm.Usage{InputTokens: 4, OutputTokens: 6}, "ok"); err != nil {
				t.Fatal(err)
			}
			r2, err := l.Reserve(ctx, entry(alice, 60))
			if err != nil {
				t.Fatalf("after settling: %v", err)
			}
			if err := l.Settle(ctx, r2, llm.Usage{InputTokens: 30, OutputTokens: 30, Estimated: true}, string(llm.KindTruncated)); err != nil {
				t.Fatal(err)
			}
			// bob's own budget replaces the role's
			if _, err := l.Reserve(ctx, entry(bob, 500)); err != nil {
				t.Fatalf("bob within his own budget: %v", err)
			}
			// nobody (a visitor) has no budget
			if _, err := l.Reserve(ctx, llm.Entry{Feature: "chat", Provider: "fake", Model: "m", Prices: prices,
				Reserve: llm.Usage{InputTokens: 1 << 20}}); err != nil {
				t.Fatalf("anonymous: %v", err)
			}
			// the rows hold what was used, with the cost at the prices
			var tokens, cost int64
			var estimated bool
			var outcome, status string
			if err := d.Reader().QueryRow(ctx, `SELECT input_tokens + output_tokens, cost, estimated, outcome, status FROM ai_usage WHERE id = ?`,
				r2.ID).Scan(&tokens, &cost, &estimated, &outcome, &status); err != nil {
				t.Fatal(err)
			}
			if tokens != 60 || cost != 30+60 || !estimated || outcome != "truncated" || status != "settled" {
				t.Fatalf("row: tokens %d cost %d estimated %v outcome %q status %q", tokens, cost, estimated, outcome, status)
			}
			// the refused call wrote nothing
			var n int
			if err := d.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM ai_usage WHERE user_id = ?`, alice).Scan(&n); err != nil || n != 2 {
				t.Fatalf("alice has %d rows (%v), want 2", n, err)
			}

			// concurrency: 20 calls of 10 tokens race for carol's 100
			carol := newUser(t, d, "carol@example.com")
			var wg sync.WaitGroup
			var mu sync.Mutex
			passed, refused := 0, 0
			for range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := l.Reserve(ctx, entry(carol, 10))
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						passed++
					case apperr.CodeOf(err) == apperr.RateLimited:
						refused++
					default:
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if passed != 10 || refused != 10 {
				t.Fatalf("%d passed, %d refused: want exactly 10 through a budget of 100 tokens", passed, refused)
			}
			var sum int64
			if err := d.Reader().QueryRow(ctx, `SELECT SUM(input_tokens + output_tokens) FROM ai_usage WHERE user_id = ?`, carol).Scan(&sum); err != nil || sum != 100 {
				t.Fatalf("carol reserved %d (%v)", sum, err)
			}
		})
	}
}
