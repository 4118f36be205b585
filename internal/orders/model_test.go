package orders_test

import (
	"testing"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// The state machine of API.md section 4, every pair.
func TestTransitions(t *testing.T) {
	allowed := map[orders.Status][]orders.Status{
		orders.Pending:    {orders.Paid, orders.Cancelled},
		orders.Paid:       {orders.Processing, orders.Refunded, orders.Cancelled},
		orders.Processing: {orders.Shipped, orders.Cancelled},
		orders.Shipped:    {orders.Delivered},
		orders.Delivered:  {orders.Refunded},
	}
	for _, from := range orders.Statuses {
		for _, to := range orders.Statuses {
			want := false
			for _, a := range allowed[from] {
				want = want || a == to
			}
			err := orders.CheckTransition(from, to)
			if want && err != nil {
				t.Errorf("%s → %s should be allowed: %v", from, to, err)
			}
			if !want && apperr.CodeOf(err) != apperr.InvalidTransition {
				t.Errorf("%s → %s should be INVALID_TRANSITION, got %v", from, to, err)
			}
		}
	}
}

func TestMasking(t *testing.T) {
	cases := map[string]string{"ali@example.com": "a***@example.com", "علی@example.com": "ع***@example.com", "broken": "***"}
	for in, want := range cases {
		if got := orders.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
	phones := map[string]string{"+989121234567": "*********4567", "1234": "****", "": ""}
	for in, want := range phones {
		if got := orders.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
