package mediaproc

import (
	"image"
	"image/color"
	"math"
)

// pixels is a small image in premultiplied RGBA, 4 bytes a pixel, rows
// packed (the layout of image.RGBA with its origin at 0,0).
type pixels struct {
	w, h int
	pix  []uint8
}

func (p *pixels) rgba() *image.RGBA {
	return &image.RGBA{Pix: p.pix, Stride: 4 * p.w, Rect: image.Rect(0, 0, p.w, p.h)}
}

func (p *pixels) nrgba() *image.NRGBA {
	out := make([]uint8, len(p.pix))
	for i := 0; i < len(p.pix); i += 4 {
		a := p.pix[i+3]
		out[i+3] = a
		if a == 0 {
			continue
		}
		for c := range 3 {
			out[i+c] = uint8((int(p.pix[i+c])*255 + int(a)/2) / int(a))
		}
	}
	return &image.NRGBA{Pix: out, Stride: 4 * p.w, Rect: image.Rect(0, 0, p.w, p.h)}
}

// rowSource yields one source row at a time as premultiplied RGBA floats
// on the 0–255 scale, so resampling never holds a converted copy of the
// whole source.
type rowSource interface {
	size() (w, h int)
	row(y int, dst []float32)
}

// catmullRom is the Catmull-Rom cubic (B=0, C=½), support 2.
func catmullRom(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (1.5*x-2.5)*x*x + 1
	case x < 2:
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}

// taps holds, per output index, the source span [start, start+count) and
// its normalised weights at w[off:off+count].
type taps struct {
	start, count, off []int
	w                 []float32
	maxCount          int
}

func newTaps(srcLen, dstLen int) taps {
	scale := float64(srcLen) / float64(dstLen)
	fs := max(scale, 1) // widen the filter when shrinking
	support := 2 * fs
	t := taps{start: make([]int, dstLen), count: make([]int, dstLen), off: make([]int, dstLen)}
	for i := range dstLen {
		center := (float64(i) + 0.5) * scale
		lo := max(0, int(math.Floor(center-support)))
		hi := min(srcLen, int(math.Ceil(center+support)))
		off := len(t.w)
		var sum float64
		for j := lo; j < hi; j++ {
			wt := catmullRom((float64(j) + 0.5 - center) / fs)
			t.w = append(t.w, float32(wt))
			sum += wt
		}
		if sum != 0 {
			for k := off; k < len(t.w); k++ {
				t.w[k] = float32(float64(t.w[k]) / sum)
			}
		}
		t.start[i], t.count[i], t.off[i] = lo, hi-lo, off
		t.maxCount = max(t.maxCount, hi-lo)
	}
	return t
}

// resample scales src (an image.Image or *pixels) to w × h with a
// separable Catmull-Rom filter, widened when shrinking so every source
// pixel counts. It holds one converted source row and a ring of the few
// horizontally scaled rows the vertical filter needs at a time.
func resample(src any, w, h int) *pixels {
	rs := sourceOf(src)
	sw, sh := rs.size()
	tx, ty := newTaps(sw, w), newTaps(sh, h)

	in := make([]float32, 4*sw)
	ringN := ty.maxCount
	ring := make([][]float32, ringN)
	for i := range ring {
		ring[i] = make([]float32, 4*w)
	}
	next := 0 // the next source row to scale into the ring
	acc := make([]float32, 4*w)
	out := &pixels{w: w, h: h, pix: make([]uint8, 4*w*h)}

	for y := range h {
		lo, n := ty.start[y], ty.count[y]
		for ; next < lo+n; next++ {
			if next < lo { // rows above the window (never for a shrink)
				continue
			}
			rs.row(next, in)
			hrow := ring[next%ringN]
			for x := range w {
				var r, g, b, a float32
				start, n := tx.start[x], tx.count[x]
				s := in[4*start : 4*(start+n)]
				for k, wt := range tx.w[tx.off[x] : tx.off[x]+n] {
					p := s[4*k : 4*k+4 : 4*k+4]
					r += p[0] * wt
					g += p[1] * wt
					b += p[2] * wt
					a += p[3] * wt
				}
				o := hrow[4*x : 4*x+4 : 4*x+4]
				o[0], o[1], o[2], o[3] = r, g, b, a
			}
		}
		clear(acc)
		for k, wt := range ty.w[ty.off[y] : ty.off[y]+n] {
			hrow := ring[(lo+k)%ringN]
			for i, v := range hrow {
				acc[i] += v * wt
			}
		}
		o := out.pix[4*w*y : 4*w*(y+1)]
		for i := 0; i < len(acc); i += 4 {
			a := clamp(acc[i+3], 255)
			o[i+3] = uint8(a + 0.5)
			for c := range 3 { // premultiplied: a colour never exceeds alpha
				o[i+c] = uint8(clamp(acc[i+c], a) + 0.5)
			}
		}
	}
	return out
}

func clamp(v, hi float32) float32 {
	if v < 0 {
		return 0
	}
	if v > hi {
		return hi
	}
	return v
}

func sourceOf(src any) rowSource {
	switch m := src.(type) {
	case *pixels:
		return pixelsSource{m}
	case *image.YCbCr:
		return ycbcrSource{m}
	case *image.NYCbCrA:
		return nycbcraSource{m}
	case *image.Gray:
		return graySource{m}
	case *image.RGBA:
		return rgbaSource{m}
	case *image.NRGBA:
		return nrgbaSource{m}
	case *image.Paletted:
		return newPalettedSource(m)
	case image.Image:
		return genericSource{m}
	}
	panic("mediaproc: resample of an unknown source")
}

type pixelsSource struct{ p *pixels }

func (s pixelsSource) size() (int, int) { return s.p.w, s.p.h }
func (s pixelsSource) row(y int, dst []float32) {
	for i, v := range s.p.pix[4*s.p.w*y : 4*s.p.w*(y+1)] {
		dst[i] = float32(v)
	}
}

type ycbcrSource struct{ m *image.YCbCr }

func (s ycbcrSource) size() (int, int) { return s.m.Rect.Dx(), s.m.Rect.Dy() }
func (s ycbcrSource) row(y int, dst []float32) {
	m, r := s.m, s.m.Rect
	y += r.Min.Y
	w := r.Dx()
	yrow := m.Y[m.YOffset(r.Min.X, y):][:w]
	div := chromaDiv(m.SubsampleRatio)
	c0 := m.COffset(r.Min.X, y) - r.Min.X/div
	for x, yy := range yrow {
		ci := c0 + (r.Min.X+x)/div
		cr, cg, cb := color.YCbCrToRGB(yy, m.Cb[ci], m.Cr[ci])
		d := dst[4*x : 4*x+4 : 4*x+4]
		d[0], d[1], d[2], d[3] = float32(cr), float32(cg), float32(cb), 255
	}
}

// chromaDiv is how many luma columns share one chroma column.
func chromaDiv(r image.YCbCrSubsampleRatio) int {
	switch r {
	case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
		return 2
	case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
		return 4
	}
	return 1
}

type nycbcraSource struct{ m *image.NYCbCrA }

func (s nycbcraSource) size() (int, int) { return s.m.Rect.Dx(), s.m.Rect.Dy() }
func (s nycbcraSource) row(y int, dst []float32) {
	m, r := s.m, s.m.Rect
	y += r.Min.Y
	yrow := m.Y[m.YOffset(r.Min.X, y):]
	arow := m.A[m.AOffset(r.Min.X, y):]
	for x := range r.Dx() {
		ci := m.COffset(r.Min.X+x, y)
		cr, cg, cb := color.YCbCrToRGB(yrow[x], m.Cb[ci], m.Cr[ci])
		a := float32(arow[x]) / 255
		dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = float32(cr)*a, float32(cg)*a, float32(cb)*a, float32(arow[x])
	}
}

type graySource struct{ m *image.Gray }

func (s graySource) size() (int, int) { return s.m.Rect.Dx(), s.m.Rect.Dy() }
func (s graySource) row(y int, dst []float32) {
	r := s.m.Rect
	i := s.m.PixOffset(r.Min.X, r.Min.Y+y)
	for x, v := range s.m.Pix[i : i+r.Dx()] {
		f := float32(v)
		dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = f, f, f, 255
	}
}

type rgbaSource struct{ m *image.RGBA }

func (s rgbaSource) size() (int, int) { return s.m.Rect.Dx(), s.m.Rect.Dy() }
func (s rgbaSource) row(y int, dst []float32) {
	r := s.m.Rect
	i := s.m.PixOffset(r.Min.X, r.Min.Y+y)
	for k, v := range s.m.Pix[i : i+4*r.Dx()] {
		dst[k] = float32(v)
	}
}

type nrgbaSource struct{ m *image.NRGBA }

func (s nrgbaSource) size() (int, int) { return s.m.Rect.Dx(), s.m.Rect.Dy() }
func (s nrgbaSource) row(y int, dst []float32) {
	r := s.m.Rect
	i := s.m.PixOffset(r.Min.X, r.Min.Y+y)
	p := s.m.Pix[i : i+4*r.Dx()]
	for k := 0; k < len(p); k += 4 {
		a := float32(p[k+3]) / 255
		dst[k], dst[k+1], dst[k+2], dst[k+3] = float32(p[k])*a, float32(p[k+1])*a, float32(p[k+2])*a, float32(p[k+3])
	}
}

type palettedSource struct {
	m   *image.Paletted
	pal [256][4]float32
}

func newPalettedSource(m *image.Paletted) *palettedSource {
	s := &palettedSource{m: m}
	for i, c := range m.Palette {
		if i >= 256 {
			break
		}
		r, g, b, a := c.RGBA()
		s.pal[i] = [4]float32{float32(r) / 257, float32(g) / 257, float32(b) / 257, float32(a) / 257}
	}
	return s
}

func (s *palettedSource) size() (int, int) { return s.m.Rect.Dx(), s.m.Rect.Dy() }
func (s *palettedSource) row(y int, dst []float32) {
	r := s.m.Rect
	i := s.m.PixOffset(r.Min.X, r.Min.Y+y)
	for x, v := range s.m.Pix[i : i+r.Dx()] {
		copy(dst[4*x:4*x+4], s.pal[v][:]) // an index past the palette is transparent black
	}
}

type genericSource struct{ m image.Image }

func (s genericSource) size() (int, int) { return s.m.Bounds().Dx(), s.m.Bounds().Dy() }
func (s genericSource) row(y int, dst []float32) {
	b := s.m.Bounds()
	if m, ok := s.m.(image.RGBA64Image); ok { // no interface value per pixel
		for x := range b.Dx() {
			c := m.RGBA64At(b.Min.X+x, b.Min.Y+y)
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = float32(c.R)/257, float32(c.G)/257, float32(c.B)/257, float32(c.A)/257
		}
		return
	}
	for x := range b.Dx() {
		r, g, bl, a := s.m.At(b.Min.X+x, b.Min.Y+y).RGBA()
		dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = float32(r)/257, float32(g)/257, float32(bl)/257, float32(a)/257
	}
}

// orient turns and mirrors p as EXIF orientation o says, so it shows
// upright; 1 (or anything outside 2–8) returns p itself.
func orient(p *pixels, o int) *pixels {
	if o < 2 || o > 8 {
		return p
	}
	w, h := p.w, p.h
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := &pixels{w: ow, h: oh, pix: make([]uint8, len(p.pix))}
	for y := range oh {
		for x := range ow {
			var sx, sy int
			switch o {
			case 2: // mirrored left to right
				sx, sy = w-1-x, y
			case 3: // turned 180°
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored top to bottom
				sx, sy = x, h-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // needs 90° clockwise
				sx, sy = y, h-1-x
			case 7: // transversed
				sx, sy = w-1-y, h-1-x
			case 8: // needs 90° anticlockwise
				sx, sy = w-1-y, x
			}
			copy(out.pix[4*(y*ow+x):4*(y*ow+x)+4], p.pix[4*(sy*w+sx):4*(sy*w+sx)+4])
		}
	}
	return out
}
