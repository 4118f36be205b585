package mediaproc

import (
	"bufio"
	"encoding/binary"
	"io"
)

// Orientation returns the EXIF orientation (1 to 8, as in the TIFF
// specification: 1 is upright, 3 is turned 180°, 6 needs a 90° clockwise
// turn to show upright, 8 a 90° anticlockwise one; 2, 4, 5 and 7 are
// mirrored) of a JPEG, reading r only up to the start of the image data.
// Anything else — not a JPEG, no EXIF, a malformed or missing tag — gives
// 1, so the answer can always be applied.
func Orientation(r io.Reader) int {
	br := bufio.NewReader(r)
	var b [4]byte
	if _, err := io.ReadFull(br, b[:2]); err != nil || b[0] != 0xff || b[1] != markerSOI {
		return 1
	}
	for {
		m, err := nextMarker(br)
		if err != nil || m == markerSOS || m == markerEOI {
			return 1
		}
		if standalone(m) {
			continue
		}
		if _, err := io.ReadFull(br, b[:2]); err != nil {
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[:2])) - 2
		if n < 0 {
			return 1
		}
		if m != markerAPP1 {
			if _, err := br.Discard(n); err != nil {
				return 1
			}
			continue
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return 1
		}
		if o, ok := exifOrientation(p); ok {
			return o
		}
	}
}

var exifHeader = []byte("Exif\x00\x00")

// exifOrientation reads the Orientation tag of IFD0 from an APP1 payload
// ("Exif\0\0" then a TIFF structure). ok is false when p is not EXIF.
func exifOrientation(p []byte) (o int, ok bool) {
	if len(p) < len(exifHeader) || string(p[:len(exifHeader)]) != string(exifHeader) {
		return 1, false
	}
	t := p[len(exifHeader):]
	if len(t) < 8 {
		return 1, true
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1, true
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1, true
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1, true
	}
	n := int64(bo.Uint16(t[ifd:]))
	for i := int64(0); i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(t)) {
			break
		}
		tag, typ, count := bo.Uint16(t[e:]), bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if tag != 0x0112 {
			continue
		}
		if typ != 3 || count != 1 { // SHORT, one value
			return 1, true
		}
		v := int(bo.Uint16(t[e+8:]))
		if v < 1 || v > 8 {
			return 1, true
		}
		return v, true
	}
	return 1, true
}

// orientationOnlyExif is an APP1 segment holding nothing but an EXIF IFD0
// with one Orientation tag of value o.
func orientationOnlyExif(o int) []byte {
	return []byte{
		0xff, markerAPP1, 0x00, 34, // marker, length (34 = 2 + 6 + 26)
		'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0x00, 0x2a, 0, 0, 0, 8, // big-endian TIFF, IFD0 at 8
		0x00, 0x01, // one entry
		0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, byte(o), 0, 0, // Orientation SHORT 1 = o
		0, 0, 0, 0, // no next IFD
	}
}
