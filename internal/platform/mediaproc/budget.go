package mediaproc

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"

	"golang.org/x/sync/semaphore"
)

// DefaultBudget is the decode memory, in bytes, of the process-wide
// Budget every Thumbnailer shares when given none: 256 MiB.
const DefaultBudget = 256 << 20

// Budget bounds the memory image decoding holds at once, across every
// Thumbnailer using it (the workers of one process): each decode takes
// its estimate before it starts and gives it back when done.
type Budget struct {
	size int64
	sem  *semaphore.Weighted
}

// NewBudget makes a budget of size bytes (DefaultBudget when size ≤ 0).
func NewBudget(size int64) *Budget {
	if size <= 0 {
		size = DefaultBudget
	}
	return &Budget{size: size, sem: semaphore.NewWeighted(size)}
}

// Size is the budget's total, in bytes.
func (b *Budget) Size() int64 { return b.size }

var defaultBudget = NewBudget(DefaultBudget)

// decodeBytes estimates, from an image's header, the memory its decoder
// allocates: the decoded pixels (bytes a pixel by colour model), for a
// progressive JPEG its coefficients (4 bytes a sample), for an
// interlaced PNG its passes, for a GIF two frames.
func decodeBytes(format string, cfg image.Config, header []byte) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	switch format {
	case "image/jpeg":
		samples, progressive, converted := jpegSamples(header)
		if progressive {
			samples *= 5
		}
		if converted { // an RGBA or CMYK copy of the planes
			samples += 4
		}
		return int64(samples * float64(px))
	case "image/gif":
		return 2 * px
	case "image/webp":
		return webpBytes(header, px)
	}
	// PNG
	bpp := int64(4)
	switch cfg.ColorModel {
	case color.GrayModel:
		if !pngTransparent(header) {
			bpp = 1
		}
	case color.Gray16Model:
		bpp = 8 // with tRNS, NRGBA64
		if !pngTransparent(header) {
			bpp = 2
		}
	case color.RGBA64Model, color.NRGBA64Model:
		bpp = 8
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			bpp = 1
		}
	}
	if len(header) > 28 && header[28] == 1 { // Adam7: seven passes, then the image
		bpp *= 2
	}
	return bpp * px
}

// webpBytes estimates a WebP's decode from its chunks as far as header
// holds them (an extended header's colour model follows its alpha flag
// whatever follows it): a lossy image holds YCbCr (1.5 bytes a pixel),
// its alpha plane 1 more, and an alpha plane coded losslessly (libwebp's
// default) an RGBA image and its work buffer first (8 more); a lossless
// image, or one whose image chunk header does not reach, 8.
func webpBytes(header []byte, px int64) int64 {
	alpha := int64(0) // in half bytes a pixel
	for off := 12; off+8 <= len(header); {
		n := int64(binary.LittleEndian.Uint32(header[off+4:]))
		switch string(header[off : off+4]) {
		case "ALPH":
			alpha = 2 + 16 // lossless, unless its first byte says raw
			if off+8 < len(header) && header[off+8]&0x03 == 0 {
				alpha = 2
			}
		case "VP8 ":
			return (3 + alpha) * px / 2
		case "VP8L":
			return 8 * px
		}
		next := int64(off) + 8 + n + n&1
		if next > int64(len(header)) {
			break
		}
		off = int(next)
	}
	return max(8, (3+alpha)/2) * px
}

// pngTransparent reports whether a PNG whose start is header may have a
// tRNS chunk, which makes a grey image decode to NRGBA or NRGBA64: true
// unless its chunks up to the first IDAT are all in header without one.
func pngTransparent(header []byte) bool {
	for off := 8; off+8 <= len(header); {
		switch string(header[off+4 : off+8]) {
		case "tRNS":
			return true
		case "IDAT":
			return false
		}
		off += 12 + int(binary.BigEndian.Uint32(header[off:]))
	}
	return true
}

// thumbBytes is what making the largest thumbnail holds: its RGBA
// pixels, the oriented and un-premultiplied copies and the encoder's
// buffers, 4 bytes a pixel each.
func thumbBytes(sides []int) int64 {
	m := int64(0)
	for _, s := range sides {
		m = max(m, int64(s))
	}
	return 16 * m * m
}

// jpegSamples reads a JPEG header's frame: the samples a pixel decodes to
// (3 for 4:4:4 colour, 1.5 for 4:2:0, 1 for grey, …) and whether it is
// progressive, and whether Go converts the decoded planes into another
// image (CMYK, and RGB: components named R, G, B or an Adobe transform of
// 0, without JFIF). A header it cannot read is taken as progressive 4:4:4
// CMYK, the most a JPEG needs.
func jpegSamples(b []byte) (float64, bool, bool) {
	const worst = 4
	jfif, adobeRGB := false, false
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return worst, true, true
		}
		m := b[i+1]
		if m == 0xff { // fill byte
			i++
			continue
		}
		if m == 0x01 || m >= 0xd0 && m <= 0xd7 {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		data := b[i+4 : max(i+4, min(len(b), i+2+n))]
		switch {
		case m == 0xe0 && bytes.HasPrefix(data, []byte("JFIF\x00")):
			jfif = true
		case m == 0xee && len(data) >= 12 && bytes.HasPrefix(data, []byte("Adobe")):
			adobeRGB = data[11] == 0
		}
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			seg := b[i+4 : min(len(b), i+2+n)]
			if len(seg) < 6 {
				return worst, true, true
			}
			nc := int(seg[5])
			if nc < 1 || len(seg) < 6+3*nc {
				return worst, true, true
			}
			converted := nc == 4 || nc == 3 && !jfif && (adobeRGB || string([]byte{seg[6], seg[9], seg[12]}) == "RGB")
			hmax, vmax := 1, 1
			for c := range nc {
				f := seg[6+3*c+1]
				hmax, vmax = max(hmax, int(f>>4)), max(vmax, int(f&15))
			}
			total := 0.0
			for c := range nc {
				f := seg[6+3*c+1]
				total += float64(int(f>>4)*int(f&15)) / float64(hmax*vmax)
			}
			progressive := m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce
			return max(total, 1), progressive, converted
		}
		i += 2 + n
	}
	return worst, true, true
}
