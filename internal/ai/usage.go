package ai

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
)

// budgetsTag is touched by every budgets write.
const budgetsTag = "ai:budgets"

// DefaultMaxOutputTokens is what a text call reserves for its answer when
// the request sets no cap.
const DefaultMaxOutputTokens = 2048

// MaxBudgets bounds PUT /api/ai/budgets's items.
const MaxBudgets = 1000

// Budgets is the body of GET and PUT /api/ai/budgets.
type Budgets struct {
	Items []llm.Budget `json:"items"`
}

// Validate names every bad item; subjects are checked to exist in the service.
func (in Budgets) Validate() error {
	fe := apperr.FieldErrors{}
	if in.Items == nil {
		fe.Add("items", "is required ([] removes every budget)")
	}
	if len(in.Items) > MaxBudgets {
		fe.Add("items", fmt.Sprintf("must hold at most %d budgets", MaxBudgets))
		return fe.Err()
	}
	seen := map[string]bool{}
	for i, b := range in.Items {
		f := fmt.Sprintf("items[%d]", i)
		if b.Scope != llm.ScopeRole && b.Scope != llm.ScopeUser {
			fe.Add(f+".scope", "must be role or user")
		}
		if b.ID < 1 || b.ID >= 1<<53 {
			fe.Add(f+".id", "must be a positive id below 2^53")
		}
		if b.Period != llm.PeriodDay && b.Period != llm.PeriodMonth {
			fe.Add(f+".period", "must be day or month")
		}
		switch {
		case b.MaxTokens == nil && b.MaxCost == nil:
			fe.Add(f+".max_tokens", "set max_tokens, max_cost or both")
		case b.MaxTokens != nil && *b.MaxTokens < 0:
			fe.Add(f+".max_tokens", "must be 0 or more")
		case b.MaxCost != nil && *b.MaxCost < 0:
			fe.Add(f+".max_cost", "must be 0 or more")
		}
		key := fmt.Sprintf("%s|%d|%s", b.Scope, b.ID, b.Period)
		if seen[key] {
			fe.Add(f, "repeats the budget of the same scope, id and period")
		}
		seen[key] = true
	}
	return fe.Err()
}

// GetBudgets returns every budget as the encoded body.
func (s *Service) GetBudgets(ctx context.Context) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, Resource, "ai:budgets", []string{budgetsTag}, s.cfg.TTL, func(ctx context.Context) ([]byte, error) {
		items, err := s.ledger.Budgets(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(Budgets{Items: items})
	})
}

// PutBudgets makes the budgets exactly in.Items.
func (s *Service) PutBudgets(ctx context.Context, in Budgets) (Budgets, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return Budgets{}, err
	}
	if err := in.Validate(); err != nil {
		return Budgets{}, err
	}
	sort.SliceStable(in.Items, func(i, j int) bool {
		a, b := in.Items[i], in.Items[j]
		if a.Scope != b.Scope {
			return a.Scope < b.Scope
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Period < b.Period
	})
	var before []llm.Budget
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		fe := apperr.FieldErrors{}
		for i, b := range in.Items {
			if ok, err := subjectExists(ctx, tx, b.Scope, b.ID); err != nil {
				return err
			} else if !ok {
				fe.Add(fmt.Sprintf("items[%d].id", i), "names no "+b.Scope)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var err error
		if before, err = budgetsIn(ctx, tx); err != nil {
			return err
		}
		if err := llm.ReplaceBudgets(ctx, tx, in.Items); err != nil {
			return err
		}
		tx.Touch(budgetsTag)
		return audit.Record(ctx, tx, audit.Entry{Action: "ai.budgets.replace", ResourceType: "ai_budgets", ResourceID: "all",
			Changes: map[string]audit.Change{"items": {From: before, To: in.Items}}})
	})
	if err != nil {
		return Budgets{}, err
	}
	s.changed(ctx, "updated", 0)
	return Budgets{Items: in.Items}, nil
}

// UsageRow is one group of the usage report.
type UsageRow struct {
	// Key is the group: a day (YYYY-MM-DD in TIMEZONE), a user id, a feature or a model.
	Key string `json:"key"`
	// Label is the user's email when grouped by user (else the key).
	Label        string `json:"label"`
	Calls        int64  `json:"calls"`
	Failed       int64  `json:"failed" doc:"calls whose outcome is not ok"`
	InputTokens  int64  `json:"input_tokens"`
	OutputTokens int64  `json:"output_tokens"`
	Images       int64  `json:"images"`
	Cost         int64  `json:"cost" doc:"in the minor unit of currency"`
	Currency     string `json:"currency"`
}

// UsageReport is the answer of GET /api/ai/usage.
type UsageReport struct {
	From    time.Time  `json:"from"`
	To      time.Time  `json:"to"`
	GroupBy string     `json:"group_by"`
	Items   []UsageRow `json:"items"`
	Total   UsageRow   `json:"total"`
}

// Usage sums the ledger between f.From and f.To by f.GroupBy. Calls still
// running count at what they reserved.
func (s *Service) Usage(ctx context.Context, f UsageFilter) (UsageReport, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return UsageReport{}, err
	}
	rows, err := usageRows(ctx, s.db.Reader(), f.From, f.To)
	if err != nil {
		return UsageReport{}, err
	}
	groups := map[string]*UsageRow{}
	var order []string
	total := UsageRow{Key: "total", Label: "total"}
	for _, r := range rows {
		var key, label string
		switch f.GroupBy {
		case "user":
			key, label = "", "(nobody)"
			if r.userID > 0 {
				key, label = strconv.FormatInt(r.userID, 10), r.email
			}
		case "feature":
			key, label = r.feature, r.feature
		case "model":
			key, label = r.provider+"/"+r.model, r.provider+"/"+r.model
		default:
			key = r.at.In(s.loc()).Format("2006-01-02")
			label = key
		}
		key += "|" + r.currency
		g := groups[key]
		if g == nil {
			g = &UsageRow{Key: strings.TrimSuffix(key, "|"+r.currency), Label: label, Currency: r.currency}
			groups[key] = g
			order = append(order, key)
		}
		for _, acc := range []*UsageRow{g, &total} {
			acc.Calls++
			if r.outcome != "ok" {
				acc.Failed++
			}
			acc.InputTokens += r.input
			acc.OutputTokens += r.output
			acc.Images += r.images
			acc.Cost += r.cost
		}
		if total.Currency == "" {
			total.Currency = r.currency
		} else if total.Currency != r.currency {
			total.Currency = "mixed"
		}
	}
	sort.Strings(order)
	out := UsageReport{From: f.From, To: f.To, GroupBy: f.GroupBy, Items: make([]UsageRow, 0, len(order)), Total: total}
	for _, k := range order {
		out.Items = append(out.Items, *groups[k])
	}
	return out, nil
}

// MaxExportRows bounds the CSV export.
const MaxExportRows = 100_000

var usageHeader = []string{"id", "at", "user_id", "user_email", "feature", "provider", "model", "status", "outcome",
	"input_tokens", "output_tokens", "images", "cost", "currency", "estimated", "latency_ms"}

// ExportUsage writes the ledger's rows between f.From and f.To as CSV,
// oldest first (at most MaxExportRows); start is called before the first
// byte (the caller sets its headers there).
func (s *Service) ExportUsage(ctx context.Context, f UsageFilter, start func() io.Writer) error {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return err
	}
	rows, err := usageRows(ctx, s.db.Reader(), f.From, f.To)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(start())
	_ = cw.Write(usageHeader)
	for i, r := range rows {
		if i == MaxExportRows {
			break
		}
		user := ""
		if r.userID > 0 {
			user = strconv.FormatInt(r.userID, 10)
		}
		rec := []string{strconv.FormatInt(r.id, 10), r.at.UTC().Format(time.RFC3339), user, r.email, r.feature, r.provider,
			r.model, r.status, r.outcome, strconv.FormatInt(r.input, 10), strconv.FormatInt(r.output, 10),
			strconv.FormatInt(r.images, 10), strconv.FormatInt(r.cost, 10), r.currency, strconv.FormatBool(r.estimated),
			strconv.FormatInt(r.latencyMS, 10)}
		for j := range rec {
			rec[j] = csvSafe(rec[j])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}

func (s *Service) loc() *time.Location {
	if s.cfg.Location != nil {
		return s.cfg.Location
	}
	return time.UTC
}

// Chat sends one chat to the provider that does text, for feature, on
// behalf of the context's principal (none: a website visitor): the call is
// checked against the principal's budgets and written to the ledger before
// it is made, and settled with what it used after, failed or not. onDelta,
// when set, streams the answer (see llm.Client.Stream); nil asks for it
// whole.
func (s *Service) Chat(ctx context.Context, feature string, req llm.ChatRequest, onDelta func(string) error) (llm.ChatResult, Provider, error) {
	c, p, err := s.Client(ctx, CapText)
	if err != nil {
		return llm.ChatResult{}, Provider{}, err
	}
	reserve := llm.Usage{OutputTokens: req.MaxOutputTokens}
	if reserve.OutputTokens <= 0 {
		reserve.OutputTokens = DefaultMaxOutputTokens
	}
	for _, m := range req.Messages {
		reserve.InputTokens += 4 + llm.EstimateTokens(m.Content)
	}
	model := req.Model
	if model == "" {
		model = p.ChatModel
	}
	r, err := s.reserve(ctx, feature, p, model, reserve)
	if err != nil {
		return llm.ChatResult{}, p, err
	}
	var res llm.ChatResult
	if onDelta != nil {
		res, err = c.Stream(ctx, req, onDelta)
	} else {
		res, err = c.Chat(ctx, req)
	}
	outcome := "ok"
	if err != nil {
		if outcome = string(llm.KindOf(err)); outcome == "" {
			outcome = "error"
		}
	}
	if serr := s.ledger.Settle(ctx, r, res.Usage, outcome); serr != nil && err == nil {
		err = serr
	}
	return res, p, err
}

// reserve writes a call of the context's principal to the ledger, refused
// over a budget.
func (s *Service) reserve(ctx context.Context, feature string, p Provider, model string, u llm.Usage) (llm.Reservation, error) {
	e := llm.Entry{Feature: feature, ProviderID: p.ID, Provider: p.Name, Model: model, Reserve: u,
		Prices: llm.Prices{InputPerMillion: p.InputPricePerMillion, OutputPerMillion: p.OutputPricePerMillion,
			PerImage: p.ImagePrice, Currency: p.Currency}}
	if who := authz.From(ctx); who != nil && who.UserID > 0 {
		if err := s.limit(ctx, who.UserID); err != nil {
			return llm.Reservation{}, err
		}
		e.UserID = who.UserID
		roles, err := roleIDs(ctx, s.db.Reader(), who.UserID)
		if err != nil {
			return llm.Reservation{}, err
		}
		e.RoleIDs = roles
	}
	return s.ledger.Reserve(ctx, e)
}

// ReasonRateLimited is details.reason of a call over the per-user rate
// limit (AI_RATE_LIMIT), told apart from budget_exceeded.
const ReasonRateLimited = "ai_rate_limited"

// limit counts one call of user against AI_RATE_LIMIT.
func (s *Service) limit(ctx context.Context, user int64) error {
	if s.cfg.Limiter == nil || s.cfg.RateLimit <= 0 {
		return nil
	}
	key := "ai:user:" + strconv.FormatInt(user, 10)
	n, err := s.cfg.Limiter.Hit(ctx, key, s.cfg.RateWindow)
	if err != nil {
		return err
	}
	if n <= s.cfg.RateLimit {
		return nil
	}
	_, ttl, _ := s.cfg.Limiter.Count(ctx, key)
	secs := int(ttl/time.Second) + 1
	if ttl <= 0 {
		secs = int(s.cfg.RateWindow / time.Second)
	}
	e := apperr.New(apperr.RateLimited, "too many AI calls; wait %d s", secs).WithReason(ReasonRateLimited)
	e.RetryAfter = secs
	e.Limit = &apperr.LimitInfo{Limit: s.cfg.RateLimit, Remaining: 0, ResetSecs: secs}
	return e
}
