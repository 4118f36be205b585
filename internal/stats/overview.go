package stats

import (
	"sort"
)

// sums accumulates days' figures.
type sums struct {
	orders, customers int64
	revenue           map[string]int64 // currency → amount in revenue statuses
	revenueOrders     map[string]int64 // currency → orders in revenue statuses
}

func newSums() sums { return sums{revenue: map[string]int64{}, revenueOrders: map[string]int64{}} }

func (s *sums) add(f DayFigures) {
	s.customers += f.NewCustomers
	for _, r := range f.Rows {
		s.orders += r.Orders
		if isRevenue(r.Status) {
			s.revenue[r.Currency] += r.Amount
			s.revenueOrders[r.Currency] += r.Orders
		}
	}
}

func change(cur, prev int64) *float64 {
	if prev == 0 {
		return nil
	}
	c := float64(cur-prev) / float64(prev)
	return &c
}

func figure(cur, prev int64) Figure {
	return Figure{Value: cur, Previous: prev, Change: change(cur, prev)}
}

func moneyList(m map[string]int64) []Money {
	out := make([]Money, 0, len(m))
	for c, a := range m {
		out = append(out, Money{Currency: c, Amount: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// build assembles the overview of the period [from, from+n) from figures
// for the 2n days [from-n, from+n): the previous period, then this one.
func build(rangeName, tz string, from Day, n int, days []DayFigures) Overview {
	prev, cur := newSums(), newSums()
	for i := range n {
		prev.add(days[i])
	}
	byStatus := map[string]*StatusFigure{}
	statusAmounts := map[string]map[string]int64{}
	series := make([]SeriesPoint, 0, n)
	for i := range n {
		f := days[n+i]
		cur.add(f)
		p := SeriesPoint{Date: from.Add(i).String(), NewCustomers: f.NewCustomers}
		rev := map[string]int64{}
		for _, r := range f.Rows {
			p.Orders += r.Orders
			if isRevenue(r.Status) {
				rev[r.Currency] += r.Amount
			}
			sf := byStatus[r.Status]
			if sf == nil {
				sf = &StatusFigure{Status: r.Status}
				byStatus[r.Status] = sf
				statusAmounts[r.Status] = map[string]int64{}
			}
			sf.Orders += r.Orders
			statusAmounts[r.Status][r.Currency] += r.Amount
		}
		p.Revenue = moneyList(rev)
		series = append(series, p)
	}

	o := Overview{Range: rangeName, TimeZone: tz, From: from.String(), To: from.Add(n - 1).String(), Series: series,
		ByStatus: []StatusFigure{}}
	last := series[n-1]
	o.Today = Today(last)
	o.KPIs.Orders = figure(cur.orders, prev.orders)
	o.KPIs.NewCustomers = figure(cur.customers, prev.customers)
	currencies := map[string]bool{}
	for c := range cur.revenue {
		currencies[c] = true
	}
	for c := range prev.revenue {
		currencies[c] = true
	}
	names := make([]string, 0, len(currencies))
	for c := range currencies {
		names = append(names, c)
	}
	sort.Strings(names)
	o.KPIs.Revenue = []MoneyFigure{}
	o.KPIs.AverageOrderValue = []MoneyFigure{}
	for _, c := range names {
		o.KPIs.Revenue = append(o.KPIs.Revenue, MoneyFigure{Currency: c, Figure: figure(cur.revenue[c], prev.revenue[c])})
		o.KPIs.AverageOrderValue = append(o.KPIs.AverageOrderValue, MoneyFigure{Currency: c,
			Figure: figure(average(cur.revenue[c], cur.revenueOrders[c]), average(prev.revenue[c], prev.revenueOrders[c]))})
	}
	for _, st := range statusOrder {
		if sf := byStatus[st]; sf != nil {
			sf.Amounts = moneyList(statusAmounts[st])
			o.ByStatus = append(o.ByStatus, *sf)
			delete(byStatus, st)
		}
	}
	for st, sf := range byStatus { // statuses this binary does not know, last
		sf.Amounts = moneyList(statusAmounts[st])
		o.ByStatus = append(o.ByStatus, *sf)
	}
	return o
}

// statusOrder is the order statuses appear in by_status: the lifecycle.
var statusOrder = []string{"pending", "paid", "processing", "shipped", "delivered", "cancelled", "refunded"}

func average(sum, count int64) int64 {
	if count == 0 {
		return 0
	}
	return (sum + count/2) / count
}
