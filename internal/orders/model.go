// Package orders is the reference feature: orders with items, a status
// state machine with history, idempotent creation, cached reads and
// events.
package orders

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// Status is an order's state.
type Status string

// The statuses of API.md section 4.
const (
	Pending    Status = "pending"
	Paid       Status = "paid"
	Processing Status = "processing"
	Shipped    Status = "shipped"
	Delivered  Status = "delivered"
	Cancelled  Status = "cancelled"
	Refunded   Status = "refunded"
)

// Statuses lists every status.
var Statuses = []Status{Pending, Paid, Processing, Shipped, Delivered, Cancelled, Refunded}

// transitions is the state machine: from → allowed targets.
var transitions = map[Status][]Status{
	Pending:    {Paid, Cancelled},
	Paid:       {Processing, Refunded, Cancelled},
	Processing: {Shipped, Cancelled},
	Shipped:    {Delivered},
	Delivered:  {Refunded},
	Cancelled:  {},
	Refunded:   {},
}

// EnumValues lists the statuses for the OpenAPI document.
func (Status) EnumValues() []string {
	out := make([]string, len(Statuses))
	for i, s := range Statuses {
		out[i] = string(s)
	}
	return out
}

// Known reports whether s is a status.
func (s Status) Known() bool { _, ok := transitions[s]; return ok }

// Allowed returns the statuses s may move to, never nil.
func (s Status) Allowed() []Status {
	if len(transitions[s]) == 0 {
		return []Status{}
	}
	return slices.Clone(transitions[s])
}

// CheckTransition returns INVALID_TRANSITION unless from → to is allowed.
func CheckTransition(from, to Status) error {
	if slices.Contains(transitions[from], to) {
		return nil
	}
	allowed := transitions[from]
	if allowed == nil {
		allowed = []Status{}
	}
	return &apperr.Error{Code: apperr.InvalidTransition,
		Message: fmt.Sprintf("an order cannot go from %s to %s", from, to),
		Details: map[string]any{"from": from, "to": to, "allowed": allowed}}
}

// Customer is who ordered.
type Customer struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Item is an order line. Total = Quantity × UnitPrice.
type Item struct {
	ID        int64  `json:"id"`
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Quantity  int64  `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
	Total     int64  `json:"total"`
}

// Order is the API's order. Money is in the currency's minor unit.
type Order struct {
	ID       int64    `json:"id"`
	Number   string   `json:"number"`
	Status   Status   `json:"status"`
	Customer Customer `json:"customer"`
	Items    []Item   `json:"items,omitempty" doc:"present on the detail, omitted in lists"`
	// AllowedNext is the state machine's answer for Status, so clients
	// need no copy of it. It depends only on Status, so cached details
	// stay right.
	AllowedNext []Status  `json:"allowed_next,omitzero" doc:"the statuses this order may move to next, [] when final; present on the detail, omitted in lists"`
	ItemsCount  int       `json:"items_count"`
	Subtotal    int64     `json:"subtotal"`
	Shipping    int64     `json:"shipping"`
	Total       int64     `json:"total"`
	Currency    string    `json:"currency"`
	Note        string    `json:"note"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Masked returns o with the customer's email and phone masked, for callers
// without customers.view_pii.
func (o Order) Masked() Order {
	o.Customer.Email = MaskEmail(o.Customer.Email)
	o.Customer.Phone = MaskPhone(o.Customer.Phone)
	return o
}

// MaskEmail keeps the first character and the domain: a***@example.com.
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}

// MaskPhone keeps the last four characters: *******1234.
func MaskPhone(p string) string {
	if p == "" {
		return ""
	}
	runes := []rune(p)
	if len(runes) <= 4 {
		return strings.Repeat("*", len(runes))
	}
	return strings.Repeat("*", len(runes)-4) + string(runes[len(runes)-4:])
}

// HistoryEntry is one status change.
type HistoryEntry struct {
	ID    int64     `json:"id"`
	At    time.Time `json:"at"`
	From  *Status   `json:"from"`
	To    Status    `json:"to"`
	Note  string    `json:"note"`
	Actor *Actor    `json:"actor"`
}

// Actor is who made a change.
type Actor struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// Limits on what an order may hold.
const (
	MaxItems     = 100
	MaxQuantity  = 1_000_000
	MaxAmount    = 1_000_000_000_000_000 // minor units; keeps totals below 2^53
	MaxNoteRunes = 2000
)

// CustomerInput names a new or known customer by email.
type CustomerInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// ItemInput is an order line as the client sends it: no totals.
type ItemInput struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Quantity  int64  `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
}

// CreateInput is the body of POST /api/orders. Totals are never taken from
// the client.
type CreateInput struct {
	Customer   *CustomerInput `json:"customer,omitempty"`
	CustomerID *int64         `json:"customer_id,omitempty"`
	Items      []ItemInput    `json:"items"`
	Shipping   *int64         `json:"shipping,omitempty"`
	Currency   string         `json:"currency"`
	Note       string         `json:"note,omitempty"`
}

// Currencies are the ISO 4217 codes accepted.
var Currencies = map[string]bool{
	"IRR": true, "USD": true, "EUR": true, "GBP": true, "AED": true, "TRY": true, "CHF": true,
	"CAD": true, "AUD": true, "JPY": true, "CNY": true, "SEK": true, "NOK": true, "DKK": true,
	"RUB": true, "INR": true, "SAR": true, "QAR": true, "KWD": true, "IQD": true, "AFN": true,
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ()-]{4,32}$`)

func checkText(fe apperr.FieldErrors, field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, "is required")
	case !utf8.ValidString(v):
		fe.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }):
		fe.Add(field, "must not contain control characters")
	}
}

// Validate checks a create request and names every bad field.
func (in CreateInput) Validate() error {
	fe := apperr.FieldErrors{}
	switch {
	case in.Customer == nil && in.CustomerID == nil:
		fe.Add("customer", "give a customer (name, email) or a customer_id")
	case in.Customer != nil && in.CustomerID != nil:
		fe.Add("customer_id", "give either customer or customer_id, not both")
	case in.CustomerID != nil && *in.CustomerID < 1:
		fe.Add("customer_id", "must be a positive id")
	case in.Customer != nil:
		c := in.Customer
		checkText(fe, "customer.name", c.Name, true, 200)
		if a, err := mail.ParseAddress(c.Email); c.Email == "" {
			fe.Add("customer.email", "is required")
		} else if err != nil || a.Address != c.Email || len(c.Email) > 254 {
			fe.Add("customer.email", "must be an email address like name@example.com")
		}
		if c.Phone != "" && !phonePattern.MatchString(c.Phone) {
			fe.Add("customer.phone", "must be a phone number: digits, spaces, + - ( )")
		}
	}
	if len(in.Items) == 0 {
		fe.Add("items", "must hold at least one item")
	} else if len(in.Items) > MaxItems {
		fe.Add("items", fmt.Sprintf("must hold at most %d items", MaxItems))
	}
	for i, it := range in.Items {
		if i >= MaxItems {
			break
		}
		p := fmt.Sprintf("items[%d].", i)
		checkText(fe, p+"sku", it.SKU, true, 64)
		checkText(fe, p+"name", it.Name, true, 200)
		if it.Quantity < 1 {
			fe.Add(p+"quantity", "must be at least 1")
		} else if it.Quantity > MaxQuantity {
			fe.Add(p+"quantity", fmt.Sprintf("must be at most %d", MaxQuantity))
		}
		if it.UnitPrice < 0 {
			fe.Add(p+"unit_price", "must not be negative")
		} else if it.UnitPrice > MaxAmount {
			fe.Add(p+"unit_price", "is too large")
		}
	}
	if in.Shipping != nil && *in.Shipping < 0 {
		fe.Add("shipping", "must not be negative")
	} else if in.Shipping != nil && *in.Shipping > MaxAmount {
		fe.Add("shipping", "is too large")
	}
	if in.Currency == "" {
		fe.Add("currency", "is required")
	} else if !Currencies[in.Currency] {
		fe.Add("currency", "must be a supported ISO 4217 code such as IRR, USD or EUR")
	}
	checkText(fe, "note", in.Note, false, MaxNoteRunes)
	if len(fe) == 0 {
		if _, _, _, err := in.Totals(); err != nil {
			fe.Add("items", err.Error())
		}
	}
	return fe.Err()
}

// Totals computes the item totals, subtotal and total on the server.
func (in CreateInput) Totals() (items []int64, subtotal, total int64, err error) {
	items = make([]int64, len(in.Items))
	for i, it := range in.Items {
		t := it.Quantity * it.UnitPrice
		if it.Quantity != 0 && t/it.Quantity != it.UnitPrice || t > MaxAmount {
			return nil, 0, 0, fmt.Errorf("the order total is too large")
		}
		items[i] = t
		subtotal += t
		if subtotal > MaxAmount {
			return nil, 0, 0, fmt.Errorf("the order total is too large")
		}
	}
	total = subtotal
	if in.Shipping != nil {
		total += *in.Shipping
	}
	if total > MaxAmount {
		return nil, 0, 0, fmt.Errorf("the order total is too large")
	}
	return items, subtotal, total, nil
}

// StatusInput is the body of PUT /api/orders/{id}/status.
type StatusInput struct {
	Status Status `json:"status"`
	Note   string `json:"note,omitempty"`
}

// Validate checks a status change request.
func (in StatusInput) Validate() error {
	fe := apperr.FieldErrors{}
	if in.Status == "" {
		fe.Add("status", "is required")
	} else if !in.Status.Known() {
		fe.Add("status", "must be one of pending, paid, processing, shipped, delivered, cancelled, refunded")
	}
	checkText(fe, "note", in.Note, false, MaxNoteRunes)
	return fe.Err()
}

// FormatNumber renders an order number from its id.
func FormatNumber(id int64) string { return fmt.Sprintf("ORD-%06d", id) }
