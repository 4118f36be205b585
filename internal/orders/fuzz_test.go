package orders_test

import (
	"net/url"
	"testing"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// contractCodes are the only codes decoding and parsing may produce.
var contractCodes = map[apperr.Code]bool{
	apperr.InvalidJSON: true, apperr.ValidationFailed: true, apperr.PayloadTooLarge: true,
}

func requireContractError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	e, ok := apperr.As(err)
	if !ok || !contractCodes[e.Code] {
		t.Fatalf("not a contract error: %#v", err)
	}
	if e.Code == apperr.ValidationFailed && len(e.Fields) == 0 {
		t.Fatalf("VALIDATION_FAILED without fields: %v", err)
	}
}

// Any body decodes to a valid order or to a contract error; never a panic.
func FuzzDecodeCreate(f *testing.F) {
	f.Add([]byte(`{"customer":{"name":"a","email":"a@example.com"},"items":[{"sku":"s","name":"n","quantity":1,"unit_price":1}],"currency":"IRR"}`))
	f.Add([]byte(`{"customer_id":1,"items":[{"sku":"s","name":"n","quantity":9007199254740993,"unit_price":9007199254740993}],"currency":"IRR","shipping":1}`))
	f.Add([]byte(`{"items":[null],"total":5}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"note":"\u0000"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in orders.CreateInput
		err := httpapi.DecodeBytes(body, &in)
		requireContractError(t, err)
		if err != nil {
			return
		}
		verr := in.Validate()
		requireContractError(t, verr)
		if verr == nil {
			items, subtotal, total, err := in.Totals()
			if err != nil || total < subtotal || total > orders.MaxAmount || len(items) != len(in.Items) {
				t.Fatalf("a valid order has impossible totals: %v %d %d", err, subtotal, total)
			}
		}
	})
}

// Any query string parses to a filter and page or to a contract error.
func FuzzParseQuery(f *testing.F) {
	f.Add("page=2&page_size=50&status=paid&status=pending&q=ali&sort=-total")
	f.Add("limit=10&cursor=abc.def&created_from=2026-01-01T00:00:00Z&created_to=2026-02-01T00:00:00Z")
	f.Add("min_total=5&max_total=1&page=-1&page_size=1e3")
	f.Add("status=paid,shipped&q=%25_%5C")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		pr, err := httpapi.ParsePage(q)
		requireContractError(t, err)
		if err == nil {
			if pr.CursorMode && (pr.Limit < 1 || pr.Limit > 100) || !pr.CursorMode && (pr.Page < 1 || pr.PageSize < 1 || pr.PageSize > 100) {
				t.Fatalf("out-of-range page accepted: %+v", pr)
			}
		}
		_, err = orders.ParseFilter(q)
		requireContractError(t, err)
	})
}

// A cursor decodes only when it is exactly what the server made for the
// same binding; anything else is INVALID_JSON, never a panic.
func FuzzCursor(f *testing.F) {
	codec := paging.CursorCodec{Key: []byte("fuzz-key")}
	good := codec.Encode("s=|q=|sort=-created_at", orders.Position{Value: 1764000000000000, ID: 42})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add("..")
	f.Add("eyJ2IjoxLCJpZCI6Mn0.AAAA")
	f.Fuzz(func(t *testing.T, cursor string) {
		var p orders.Position
		err := codec.Decode("s=|q=|sort=-created_at", cursor, &p)
		if err == nil && cursor != good {
			// only a byte-identical cursor (or one base64 maps to the same bytes) may pass
			if re := codec.Encode("s=|q=|sort=-created_at", p); re != good {
				t.Fatalf("forged cursor accepted: %q -> %+v", cursor, p)
			}
		}
		if err != nil && apperr.CodeOf(err) != apperr.InvalidJSON {
			t.Fatalf("cursor error is not INVALID_JSON: %v", err)
		}
		if err := codec.Decode("s=paid|q=|sort=-created_at", good, &p); err == nil {
			t.Fatal("a cursor was accepted for other filters")
		}
	})
}
