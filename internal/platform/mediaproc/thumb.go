package mediaproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"slices"

	"golang.org/x/image/webp"
)

// DefaultMaxPixels is the largest image, in pixels (width × height), that
// a zero Thumbnailer decodes: 50 megapixels, about 200 MB as RGBA.
const DefaultMaxPixels = 50_000_000

// DefaultQuality is the JPEG quality of thumbnails from a zero Thumbnailer.
const DefaultQuality = 82

// maxHeader bounds the bytes held while reading an image's header (for a
// JPEG, everything before its frame header: EXIF, XMP, ICC profiles).
const maxHeader = 16 << 20

var (
	// ErrTooLarge is wrapped by the error for an image whose declared
	// dimensions exceed the pixel limit; nothing was decoded.
	ErrTooLarge = errors.New("mediaproc: image has too many pixels")
	// ErrNotImage is wrapped by the error for input that is not a JPEG,
	// PNG, GIF or WebP image.
	ErrNotImage = errors.New("mediaproc: not a JPEG, PNG, GIF or WebP image")
	// ErrOverBudget is wrapped by the error for an image whose decoding
	// would need more memory than its Budget holds in all; nothing was
	// decoded.
	ErrOverBudget = errors.New("mediaproc: decoding the image needs more memory than allowed")
)

// Size describes one thumbnail written by Thumbnails.
type Size struct {
	Side        int    // the requested bound, as passed in sides
	Width       int    // the thumbnail's width, after orientation
	Height      int    // the thumbnail's height, after orientation
	ContentType string // "image/jpeg", or "image/png" for a source with transparency
}

// Thumbnailer makes thumbnails. Its zero value uses DefaultMaxPixels and
// DefaultQuality; it is safe for concurrent use.
type Thumbnailer struct {
	// MaxPixels refuses images with more pixels (width × height), read
	// from the header before anything is decoded. 0 means DefaultMaxPixels.
	MaxPixels int64
	// Quality is the JPEG quality, 1 to 100. 0 means DefaultQuality.
	Quality int
	// Budget is the decode memory shared with every other Thumbnailer; nil
	// means the process-wide one of DefaultBudget bytes.
	Budget *Budget
}

// Thumbnail writes to dst one thumbnail of the image in src that fits in a
// maxSide × maxSide square; see Thumbnailer.Thumbnails, whose Size also
// tells whether JPEG or PNG was written.
func Thumbnail(dst io.Writer, src io.Reader, maxSide int) (w, h int, err error) {
	sizes, err := Thumbnailer{}.Thumbnails(src, []int{maxSide}, func(int) io.Writer { return dst })
	if err != nil {
		return 0, 0, err
	}
	return sizes[0].Width, sizes[0].Height, nil
}

// Thumbnails is Thumbnailer{}.Thumbnails.
func Thumbnails(src io.Reader, sides []int, out func(side int) io.Writer) ([]Size, error) {
	return Thumbnailer{}.Thumbnails(src, sides, out)
}

// Thumbnails decodes the image in src (JPEG, PNG, GIF — its first frame —
// or WebP) once and, for each side in sides, writes to out(side) a
// thumbnail fitting in a side × side square with the image's aspect ratio.
// An image already that small keeps its size: nothing is upscaled. It
// answers one Size per side, in the order of sides.
//
// A JPEG's EXIF orientation is read from its header and applied, so the
// thumbnail shows upright and carries no metadata; callers need not call
// Orientation themselves (other formats are taken as upright).
// Thumbnails are JPEG at the Thumbnailer's quality, or PNG when the source
// has any transparent pixel.
//
// Before decoding, the header's dimensions are checked against MaxPixels,
// so a small file declaring a huge image (a decompression bomb) is refused
// with ErrTooLarge without allocating it. Memory is the decoded image
// (a baseline 4:2:0 JPEG 1.5 bytes a pixel: 36 MB at 24 megapixels; PNG
// and WebP 4, a 16-bit PNG 8), the largest thumbnail, and resampling
// buffers of a few source rows; no full-size copy is made. A progressive
// JPEG also needs image/jpeg's coefficient buffers, 4 bytes a sample
// (6 a pixel at 4:2:0), while it decodes; MaxPixels bounds all of it.
//
// Errors: ErrNotImage for other input, ErrTooLarge, a decoder's error for
// a broken image, or the first error writing to an out writer (sizes after
// it are not written).
func (t Thumbnailer) Thumbnails(src io.Reader, sides []int, out func(side int) io.Writer) ([]Size, error) {
	return t.ThumbnailsContext(context.Background(), src, sides, out)
}

// ThumbnailsContext is Thumbnails, giving up with ctx's error while it
// waits for its share of the decode budget.
//
// Before decoding, the memory decoding and resampling need (width ×
// height × the bytes a pixel takes in the decoder, from the header, plus
// the largest thumbnail's buffers) is taken from the Budget, and given
// back when it returns: an image needing more than the whole budget is
// refused with ErrOverBudget, one that fits waits until enough is free.
func (t Thumbnailer) ThumbnailsContext(ctx context.Context, src io.Reader, sides []int, out func(side int) io.Writer) ([]Size, error) {
	maxPixels, quality := t.MaxPixels, t.Quality
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if quality <= 0 || quality > 100 {
		quality = DefaultQuality
	}
	if len(sides) == 0 {
		return nil, errors.New("mediaproc: no thumbnail sizes asked for")
	}
	for _, s := range sides {
		if s <= 0 {
			return nil, fmt.Errorf("mediaproc: thumbnail side %d is not positive", s)
		}
	}

	rp := &replay{r: src, rec: true, max: maxHeader}
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(rp, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		if errors.Is(err, io.EOF) {
			return nil, ErrNotImage
		}
		return nil, err
	}
	var (
		decodeConfig func(io.Reader) (image.Config, error)
		decode       func(io.Reader) (image.Image, error)
	)
	format := Sniff(head[:n])
	switch format {
	case "image/jpeg":
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
	case "image/png":
		decodeConfig, decode = png.DecodeConfig, png.Decode
	case "image/gif":
		decodeConfig, decode = gif.DecodeConfig, gif.Decode
	case "image/webp":
		decodeConfig, decode = webp.DecodeConfig, webp.Decode
	default:
		return nil, fmt.Errorf("%w (it is %s)", ErrNotImage, format)
	}

	rp.rewind(true)
	cfg, err := decodeConfig(rp)
	if err != nil {
		return nil, fmt.Errorf("mediaproc: reading the %s header: %w", format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s header declares %d×%d", ErrMalformed, format, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels {
		return nil, fmt.Errorf("%w: %d×%d is %d pixels, over the limit of %d",
			ErrTooLarge, cfg.Width, cfg.Height, px, maxPixels)
	}
	orientation := 1
	if format == "image/jpeg" {
		orientation = Orientation(rp.recorded())
	}
	need := decodeBytes(format, cfg, rp.buf) + thumbBytes(sides)
	budget := t.Budget
	if budget == nil {
		budget = defaultBudget
	}
	if need > budget.size {
		return nil, fmt.Errorf("%w: a %d×%d %s needs about %d MiB to process, over the limit of %d MiB",
			ErrOverBudget, cfg.Width, cfg.Height, format, need>>20, budget.size>>20)
	}
	if err := budget.sem.Acquire(ctx, need); err != nil {
		return nil, err
	}
	defer budget.sem.Release(need)

	rp.rewind(false)
	img, err := decode(rp)
	if err != nil {
		return nil, fmt.Errorf("mediaproc: decoding the %s image: %w", format, err)
	}
	b := img.Bounds()
	if int64(b.Dx())*int64(b.Dy()) > maxPixels {
		return nil, fmt.Errorf("%w: decoded %d×%d", ErrTooLarge, b.Dx(), b.Dy())
	}
	opaque := isOpaque(img)

	// Largest first, so a smaller size can be made from a larger one.
	order := make([]int, len(sides))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return sides[b] - sides[a] })

	sizes := make([]Size, len(sides))
	var prev *pixels // the last (smallest so far) thumbnail, before orientation
	for _, i := range order {
		side := sides[i]
		w, h := fit(b.Dx(), b.Dy(), side, orientation)
		var p *pixels
		switch {
		case prev != nil && prev.w == w && prev.h == h:
			p = prev
		case prev != nil && prev.w >= 3*w && prev.h >= 3*h:
			// A thumbnail three times as large is a fine source, and
			// much cheaper than the full image.
			p = resample(prev, w, h)
		default:
			p = resample(img, w, h)
		}
		prev = p
		o := orient(p, orientation)
		s := Size{Side: side, Width: o.w, Height: o.h}
		dst := out(side)
		if dst == nil {
			return nil, fmt.Errorf("mediaproc: no writer for thumbnail side %d", side)
		}
		if opaque {
			s.ContentType = "image/jpeg"
			err = jpeg.Encode(dst, o.rgba(), &jpeg.Options{Quality: quality})
		} else {
			s.ContentType = "image/png"
			err = png.Encode(dst, o.nrgba())
		}
		if err != nil {
			return nil, fmt.Errorf("mediaproc: writing the %d thumbnail: %w", side, err)
		}
		sizes[i] = s
	}
	return sizes, nil
}

// fit answers the pre-orientation size that, once oriented, fits w × h
// (stored size) in side × side, keeping the aspect ratio and never
// growing.
func fit(w, h, side, orientation int) (int, int) {
	if orientation >= 5 { // turned a quarter: fit the shown (swapped) size
		h2, w2 := fit(h, w, side, 1)
		return w2, h2
	}
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, int((int64(h)*int64(side)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(side)+int64(h)/2)/int64(h))), side
}

// isOpaque reports whether every pixel of m is fully opaque.
func isOpaque(m image.Image) bool {
	if o, ok := m.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := m.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}

// replay reads from r and, while recording, keeps what it read, so the
// same bytes can be read again after rewind (the header, read once for
// the config and again by the decoder) without holding the whole file.
type replay struct {
	r   io.Reader
	buf []byte
	off int
	rec bool
	max int
}

func (p *replay) Read(b []byte) (int, error) {
	if p.off < len(p.buf) {
		n := copy(b, p.buf[p.off:])
		p.off += n
		return n, nil
	}
	if !p.rec {
		p.buf, p.off = nil, 0 // replayed: let it go
		return p.r.Read(b)
	}
	n, err := p.r.Read(b)
	if n > 0 {
		if len(p.buf)+n > p.max {
			return 0, fmt.Errorf("%w: image header over %d bytes", ErrMalformed, p.max)
		}
		p.buf = append(p.buf, b[:n]...)
		p.off += n
	}
	return n, err
}

// rewind makes the next reads start again at the first byte; record says
// whether bytes read past the recording are kept too.
func (p *replay) rewind(record bool) { p.off, p.rec = 0, record }

// recorded returns a reader over the bytes recorded so far.
func (p *replay) recorded() io.Reader { return bytes.NewReader(p.buf) }
