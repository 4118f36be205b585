package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Page-mode scenario ids.
const (
	idPageFirst  = "page-first"
	idPageDeep   = "page-deep"
	idPageMiddle = "page-middle"
)

// pageTargetBefore is the deep page's req/s before issue 12's fix (same
// machine, 100,000 orders, 64 connections), and pageTargetFactor what the
// issue asks of it.
const (
	pageTargetBefore = 21.0
	pageTargetFactor = 20.0
)

// PageInfo describes how the page-mode scenarios were built.
type PageInfo struct {
	// Filters is the number of distinct filters (min_total=0..Filters-1,
	// each matching every order) the URLs combine with.
	Filters int `json:"filters"`
	// PageSize is the deep and middle pages' page_size; the first page
	// cycles through MinSize..MaxSize.
	PageSize int `json:"page_size"`
	MinSize  int `json:"min_size"`
	MaxSize  int `json:"max_size"`
	// DeepFrom..DeepTo and MiddleFrom..MiddleTo are the pages sent.
	DeepFrom   int `json:"deep_from"`
	DeepTo     int `json:"deep_to"`
	MiddleFrom int `json:"middle_from"`
	MiddleTo   int `json:"middle_to"`
}

// pagePools builds the URL pools of the page-mode scenarios. Every URL is
// distinct, so each request's page is a cache miss and queries the
// database. Each filter's total is cached apart from its pages (one count
// per filter, as a user paging through a filter has it); warmCounts fills
// those before each scenario, so its window measures the page query.
//
//   - first: min_total=K × page=1 × page_size=S (S in minSize..maxSize);
//   - deep: min_total=K × page_size=50 × the 100 pages ending at deepest;
//   - middle: the same at the 100 pages around the middle of the list.
func (c *client) pagePools(ctx context.Context, filters, deepest int, orders, smallest int64) (first, deep, middle []string, info PageInfo, err error) {
	// 99 sizes (2..100, mean 51): 99,000 first-page URLs with the default
	// 1,000 filters, more than a window sends; page_size=1 is the warm-up's
	const size, minSize, maxSize = 50, 2, 100
	info = PageInfo{Filters: filters, PageSize: size, MinSize: minSize, MaxSize: maxSize}
	if int64(filters-1) > smallest {
		return nil, nil, nil, info, fmt.Errorf("min_total up to %d would hide orders (smallest total %d); lower -page-filters",
			filters-1, smallest)
	}
	last := int(orders / size) // the last full page
	if deepest > last {
		return nil, nil, nil, info, fmt.Errorf("the server lists %d orders: page %d of %d is not full; seed more or lower -page-deep",
			orders, deepest, size)
	}
	if deepest < 200 {
		return nil, nil, nil, info, errors.New("-page-deep must be at least 200")
	}
	info.DeepFrom, info.DeepTo = deepest-99, deepest
	info.MiddleFrom = (last+1)/2 - 49
	info.MiddleTo = info.MiddleFrom + 99
	for k := range filters {
		for s := minSize; s <= maxSize; s++ {
			first = append(first, fmt.Sprintf("/api/orders?min_total=%d&page=1&page_size=%d", k, s))
		}
		for p := info.DeepFrom; p <= info.DeepTo; p++ {
			deep = append(deep, fmt.Sprintf("/api/orders?min_total=%d&page=%d&page_size=%d", k, p, size))
		}
		for p := info.MiddleFrom; p <= info.MiddleTo; p++ {
			middle = append(middle, fmt.Sprintf("/api/orders?min_total=%d&page=%d&page_size=%d", k, p, size))
		}
	}
	r := rand.New(rand.NewPCG(3, 4)) // fixed: every run sends the same order
	for _, pool := range [][]string{first, deep, middle} {
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	}
	return first, deep, middle, info, nil
}

// warmCounts caches the total of every filter of the page-mode pools
// through URLs that are in no pool (page_size=1), checking each total.
func (c *client) warmCounts(ctx context.Context, filters int, orders int64) error {
	paths := make([]string, filters)
	for k := range paths {
		paths[k] = fmt.Sprintf("/api/orders?min_total=%d&page=1&page_size=1", k)
	}
	if err := c.warm(ctx, paths); err != nil {
		return err
	}
	var p struct {
		Total int64 `json:"total"`
	}
	if err := c.getJSON(ctx, paths[filters-1], &p); err != nil {
		return err
	}
	if p.Total != orders {
		return fmt.Errorf("min_total=%d lists %d orders, want every one of %d", filters-1, p.Total, orders)
	}
	return nil
}

// pageScenarios returns the page-mode scenarios named in want.
func (c *client) pageScenarios(ctx context.Context, want map[string]bool, filters, deepest int) ([]scenario, PageInfo, error) {
	var info PageInfo
	if !want[idPageFirst] && !want[idPageDeep] && !want[idPageMiddle] {
		return nil, info, nil
	}
	var smallest cursorPage
	if err := c.getJSON(ctx, "/api/orders?limit=1&sort=total", &smallest); err != nil {
		return nil, info, err
	}
	if len(smallest.Items) == 0 {
		return nil, info, errors.New("the server lists no orders (seed first)")
	}
	var count struct {
		Total int64 `json:"total"`
	}
	if err := c.getJSON(ctx, "/api/orders?page=1&page_size=1", &count); err != nil {
		return nil, info, err
	}
	first, deep, middle, info, err := c.pagePools(ctx, filters, deepest, count.Total, smallest.Items[0].Total)
	if err != nil {
		return nil, info, err
	}
	setup := func(ctx context.Context) error { return c.warmCounts(ctx, filters, count.Total) }
	k := fmt.Sprintf("K in 0..%d", filters-1)
	var out []scenario
	if want[idPageFirst] {
		out = append(out, scenario{id: idPageFirst, name: "page-mode first page (uncached page)",
			request: fmt.Sprintf("`GET /api/orders?min_total=K&page=1&page_size=S` for %s and S in %d..%d, shuffled; every URL once; "+
				"each K's total warmed first", k, info.MinSize, info.MaxSize),
			expect: "miss", auth: true, distinct: len(first), path: rotate(first), setup: setup})
	}
	// the deep and middle scenarios differ only by their pages and pool
	pages := func(id, label string, from, to int, pool []string) {
		if !want[id] {
			return
		}
		out = append(out, scenario{id: id, name: fmt.Sprintf("page-mode %s page (pages %s–%s of %d, uncached page)",
			label, group(int64(from)), group(int64(to)), info.PageSize),
			request: fmt.Sprintf("`GET /api/orders?min_total=K&page=P&page_size=%d` for %s and P in %d..%d, shuffled; every URL once; "+
				"each K's total warmed first", info.PageSize, k, from, to),
			expect: "miss", auth: true, distinct: len(pool), path: rotate(pool), setup: setup})
	}
	pages(idPageDeep, "deep", info.DeepFrom, info.DeepTo, deep)
	pages(idPageMiddle, "middle", info.MiddleFrom, info.MiddleTo, middle)
	return out, info, nil
}

// pageTarget is the verdict on the deep page-mode page.
func pageTarget(run Run) verdict {
	goal := pageTargetBefore * pageTargetFactor
	v := verdict{target: fmt.Sprintf("Page-mode deep page (page ~2,000 of 50) ≥ %.0f× the %.0f req/s it had before issue 12, i.e. ≥ %.0f req/s, "+
		"in the same run as the page-mode first page", pageTargetFactor, pageTargetBefore, goal)}
	if why := run.valid(idPageFirst, idPageDeep); why != "" {
		v.detail = why
		return v
	}
	first, _ := run.scenario(idPageFirst)
	deep, _ := run.scenario(idPageDeep)
	v.evaluated, v.met = true, deep.RPS >= goal
	v.detail = fmt.Sprintf("%s req/s = %.1f× %.0f; first page %s req/s; p50 %.2f ms vs %.2f ms", group(int64(math.Round(deep.RPS))),
		deep.RPS/pageTargetBefore, pageTargetBefore, group(int64(math.Round(first.RPS))), deep.P50Ms, first.P50Ms)
	return v
}

// pageSection renders how the page-mode scenarios were built, or "" when
// the run has none.
func pageSection(run Run) string {
	p := run.Pages
	if p.Filters == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Page mode: first page vs deep pages\n\n")
	fmt.Fprintf(&b, "Each request of the page-mode scenarios has a URL of its own, so its page is a cache miss and the "+
		"database is queried for it every time (the Cache-Status column shows it). All carry `min_total=K` (K in 0..%d), "+
		"which matches every order. The total of each K is cached apart from the pages (one count per filter, fenced like "+
		"the pages, dropped by every order write) and was warmed right before each scenario with `page_size=1`, so the "+
		"windows measure the page query, as for a user paging through a filter. Deep pages %d–%d of %d lie near the end "+
		"of the list, which the server reads from its far end; middle pages %d–%d are the costliest, with about half the "+
		"list skipped over the index.\n",
		p.Filters-1, p.DeepFrom, p.DeepTo, p.PageSize, p.MiddleFrom, p.MiddleTo)
	return b.String()
}
