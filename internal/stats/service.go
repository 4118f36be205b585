package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
)

// Cache tags: every order write bumps allTag and the tag of the day the
// order was created on.
const allTag = "stats"

func dayTag(d Day) string { return "stats:day:" + d.Compact() }

// Config tunes the service.
type Config struct {
	// Location cuts days (TIMEZONE).
	Location *time.Location
	// TodayTTL and ClosedDayTTL keep a day's cached figures; OverviewTTL
	// the assembled overview. Writes invalidate all of them at once; the
	// TTLs only bound memory.
	TodayTTL, ClosedDayTTL, OverviewTTL time.Duration
	// ReconcileDays is how many recent days the reconciliation recomputes.
	ReconcileDays int
}

// Service keeps and serves the statistics.
type Service struct {
	db    *db.DB
	cache *cache.Cache
	bus   events.Bus
	cfg   Config
	now   func() time.Time
	// onQuery, when set, is told of every read of the aggregate tables.
	onQuery func()
}

// NewService wires the service.
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Service{db: d, cache: c, bus: bus, cfg: cfg, now: time.Now}
}

// SetClock replaces the clock (tests crossing midnight).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// OnQuery registers a hook run before every read of the aggregates.
func (s *Service) OnQuery(f func()) { s.onQuery = f }

// Location is the time zone days are cut in.
func (s *Service) Location() *time.Location { return s.cfg.Location }

// touched marks the day's figures changed: caches drop them after the
// commit and viewers hear of it.
func (s *Service) touched(tx *db.Tx, day Day) {
	tx.Touch(allTag)
	tx.Touch(dayTag(day))
	tx.AfterCommit(func() {
		id := int64(day.Y*10000 + day.M*100 + day.D)
		if err := s.bus.Publish(context.Background(), events.Event{Event: "updated", Resource: Resource, ID: id}); err != nil {
			slog.Warn("publishing a stats event failed", "err", err)
		}
	})
}

// OrderCreated counts a new order (and maybe a new customer) in the
// writer's transaction.
func (s *Service) OrderCreated(ctx context.Context, tx *db.Tx, createdAt time.Time, status, currency string, total int64, newCustomer bool) error {
	day := DayOf(createdAt, s.cfg.Location)
	if err := addOrders(ctx, tx, day, currency, status, 1, total); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	if newCustomer {
		if err := addCustomer(ctx, tx, day); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
	}
	s.touched(tx, day)
	return nil
}

// OrderMoved moves an order between statuses on the day it was created,
// in the writer's transaction.
func (s *Service) OrderMoved(ctx context.Context, tx *db.Tx, createdAt time.Time, currency string, total int64, from, to string) error {
	day := DayOf(createdAt, s.cfg.Location)
	if err := addOrders(ctx, tx, day, currency, from, -1, -total); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	if err := addOrders(ctx, tx, day, currency, to, 1, total); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	s.touched(tx, day)
	return nil
}

// Overview returns the encoded overview of a range (7d, 30d, 90d, 365d)
// ending today.
func (s *Service) Overview(ctx context.Context, rangeParam string) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	name, n, err := ParseRange(rangeParam)
	if err != nil {
		return nil, "", err
	}
	today := DayOf(s.now(), s.cfg.Location)
	key := "stats:overview:" + name + ":" + today.Compact()
	return s.cache.Fetch(ctx, Resource, key, []string{allTag}, s.cfg.OverviewTTL, func(ctx context.Context) ([]byte, error) {
		from := today.Add(-(n - 1))
		days, err := s.days(ctx, from.Add(-n), today)
		if err != nil {
			return nil, err
		}
		return json.Marshal(build(name, s.cfg.Location.String(), from, n, days))
	})
}

// days returns the figures of the days [from, to], each cached under
// stats:daily:YYYYMMDD; the missing ones are read in one query.
func (s *Service) days(ctx context.Context, from, to Day) ([]DayFigures, error) {
	today := DayOf(s.now(), s.cfg.Location)
	var items []cache.Item
	var list []Day
	for d := from; !to.Before(d); d = d.Add(1) {
		ttl := s.cfg.ClosedDayTTL
		if !d.Before(today) {
			ttl = s.cfg.TodayTTL
		}
		items = append(items, cache.Item{Key: "stats:daily:" + d.Compact(), Tags: []string{dayTag(d)}, TTL: ttl})
		list = append(list, d)
	}
	out := make([]DayFigures, len(items))
	filled := make([]bool, len(items))
	raw, err := s.cache.FetchMany(ctx, Resource, items, func(ctx context.Context, missing []int) ([][]byte, error) {
		if s.onQuery != nil {
			s.onQuery()
		}
		if err := s.readInto(ctx, out, list, missing); err != nil {
			return nil, err
		}
		enc := make([][]byte, len(missing))
		for j, i := range missing {
			// what was just read is used as is; only cached days are decoded
			filled[i] = true
			enc[j] = encodeDay(out[i])
		}
		return enc, nil
	})
	if err != nil {
		return nil, err
	}
	var undecodable []int
	for i, b := range raw {
		if filled[i] {
			continue
		}
		if out[i], err = decodeDay(b); err != nil {
			undecodable = append(undecodable, i)
		}
	}
	if len(undecodable) > 0 {
		// written by another version of Pishkhan, or damaged: the tables
		// answer instead, until a write to the day or its TTL replaces it
		slog.Warn("stats: cached days did not decode; read from the tables", "days", len(undecodable),
			"first", list[undecodable[0]].String())
		if err := s.readInto(ctx, out, list, undecodable); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readInto reads the figures of the days list[i] for i in idx (ascending)
// from the aggregate tables into out, in one query.
func (s *Service) readInto(ctx context.Context, out []DayFigures, list []Day, idx []int) error {
	stored, err := readDays(ctx, s.db.Reader(), list[idx[0]], list[idx[len(idx)-1]])
	if err != nil {
		return err
	}
	for _, i := range idx {
		f := stored[list[i].String()]
		if f.Rows == nil {
			f.Rows = []Row{}
		}
		out[i] = f
	}
	return nil
}

// Reconcile recomputes the last ReconcileDays days (today included) from
// the orders and repairs any that drifted; it returns the repaired days.
// Running it twice changes nothing the second time.
func (s *Service) Reconcile(ctx context.Context) ([]Day, error) {
	today := DayOf(s.now(), s.cfg.Location)
	return s.Rebuild(ctx, today.Add(-(s.cfg.ReconcileDays - 1)), today)
}

// Rebuild recomputes the days [from, to] one transaction per day and
// returns those whose stored figures were wrong.
func (s *Service) Rebuild(ctx context.Context, from, to Day) ([]Day, error) {
	var repaired []Day
	for d := from; !to.Before(d); d = d.Add(1) {
		changed := false
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			if err := lockForReconcile(ctx, tx); err != nil {
				return err
			}
			truth, err := compute(ctx, tx, d, s.cfg.Location)
			if err != nil {
				return err
			}
			stored, err := readDays(ctx, tx, d, d)
			if err != nil {
				return err
			}
			if stored[d.String()].Equal(truth) {
				return nil
			}
			changed = true
			s.touched(tx, d)
			return replaceDay(ctx, tx, d, truth)
		})
		if err != nil {
			return repaired, fmt.Errorf("stats: reconcile %s: %w", d, err)
		}
		if changed {
			repaired = append(repaired, d)
		}
	}
	return repaired, nil
}

// RebuildAll recomputes every day from the earliest day of any counted
// table (orders, customers) to today (after a bulk load, or a TIMEZONE
// change).
func (s *Service) RebuildAll(ctx context.Context) ([]Day, error) {
	first, ok, err := firstCountedDay(ctx, s.db.Reader(), s.cfg.Location)
	if err != nil || !ok {
		return nil, err
	}
	for _, table := range []string{"stats_daily", "stats_customers_daily"} {
		if _, err := s.db.Writer().Exec(ctx, `DELETE FROM `+table+` WHERE day < ?`, first.String()); err != nil {
			return nil, err
		}
	}
	return s.Rebuild(ctx, first, DayOf(s.now(), s.cfg.Location))
}

// Warm fills the cache with every range's overview (today's figures and
// the chart).
func (s *Service) Warm(ctx context.Context) error {
	ctx = authz.With(ctx, authz.System)
	for name := range Ranges {
		if _, _, err := s.Overview(ctx, name); err != nil {
			return err
		}
	}
	return nil
}
