package stats

import (
	"encoding/binary"
	"errors"
)

// A day's figures are cached in a compact binary form rather than JSON: an
// uncached 365-day overview encodes 730 of them, and a cached one decodes
// as many. The layout: the format byte dayFormat, then varints:
//
//	new_customers, row count, then per row:
//	len(currency), currency, len(status), status, orders, amount
//
// A value that does not decode is an error, never a guess; a change of
// layout must change dayFormat.

const dayFormat = 1

var errBadDay = errors.New("malformed cached day")

func encodeDay(f DayFigures) []byte {
	b := make([]byte, 0, 4+len(f.Rows)*24)
	b = append(b, dayFormat)
	b = binary.AppendVarint(b, f.NewCustomers)
	b = binary.AppendUvarint(b, uint64(len(f.Rows)))
	for _, r := range f.Rows {
		b = binary.AppendUvarint(b, uint64(len(r.Currency)))
		b = append(b, r.Currency...)
		b = binary.AppendUvarint(b, uint64(len(r.Status)))
		b = append(b, r.Status...)
		b = binary.AppendVarint(b, r.Orders)
		b = binary.AppendVarint(b, r.Amount)
	}
	return b
}

func decodeDay(b []byte) (DayFigures, error) {
	var f DayFigures
	if len(b) == 0 || b[0] != dayFormat {
		return f, errBadDay
	}
	d := dayDecoder{b: b[1:]}
	f.NewCustomers = d.varint()
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)/4) { // every row takes at least four bytes
		return f, errBadDay
	}
	f.Rows = make([]Row, n)
	for i := range f.Rows {
		f.Rows[i] = Row{Currency: d.text(), Status: d.text(), Orders: d.varint(), Amount: d.varint()}
	}
	if d.bad || len(d.b) != 0 {
		return DayFigures{}, errBadDay
	}
	return f, nil
}

// dayDecoder reads varints and strings off b; bad sticks once set.
type dayDecoder struct {
	b   []byte
	bad bool
}

func (d *dayDecoder) uvarint() uint64 { return next(d, binary.Uvarint) }

func (d *dayDecoder) varint() int64 { return next(d, binary.Varint) }

// next reads one varint with read (binary.Uvarint or binary.Varint).
func next[T uint64 | int64](d *dayDecoder, read func([]byte) (T, int)) T {
	v, n := read(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dayDecoder) text() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
