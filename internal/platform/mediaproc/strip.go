package mediaproc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

var (
	// ErrUnsupported is returned by StripMetadata for a content type it
	// cannot clean; the caller keeps the file as it is (or refuses it).
	ErrUnsupported = errors.New("mediaproc: metadata removal is not supported for this type")
	// ErrNeedSeeker is returned by StripMetadata for WebP when src is not an
	// io.ReadSeeker (see StripMetadata).
	ErrNeedSeeker = errors.New("mediaproc: removing WebP metadata needs a seekable source (io.ReadSeeker)")
	// ErrMalformed is wrapped by the errors for files whose structure is
	// broken (truncated, a bad signature, a chunk longer than its file).
	ErrMalformed = errors.New("mediaproc: malformed file")
)

// JPEG markers.
const (
	markerTEM   = 0x01
	markerRST0  = 0xd0
	markerRST7  = 0xd7
	markerSOI   = 0xd8
	markerEOI   = 0xd9
	markerSOS   = 0xda
	markerAPP0  = 0xe0
	markerAPP1  = 0xe1
	markerAPP2  = 0xe2
	markerAPP14 = 0xee
	markerAPP15 = 0xef
	markerCOM   = 0xfe
)

// StripMetadata copies the image in src to dst without the metadata a
// camera, phone or editor left in it, and without re-encoding: the pixels
// decode exactly as before. It streams, holding at most one 64 KiB JPEG
// segment (or, for PNG and WebP, a chunk header) in memory.
//
// What goes, by contentType (any alias Canonical knows):
//
//   - image/jpeg: every APPn segment (EXIF with GPS, XMP, IPTC/Photoshop,
//     MPF, maker data, ...) and COM comments, except APP0 JFIF (its
//     embedded thumbnail dropped), APP2 ICC_PROFILE and APP14 Adobe, which
//     decide how colours render. When the EXIF orientation is not 1, it is
//     kept — alone, in a 34-byte EXIF segment holding only that tag — so the
//     photo still shows upright; nothing else of the EXIF survives.
//   - image/png: every ancillary chunk except the rendering ones (gAMA,
//     cHRM, sRGB, iCCP, cICP, mDCv, cLLi, sBIT, pHYs, tRNS, bKGD, hIST,
//     sPLT) and APNG's animation chunks; so tEXt, zTXt, iTXt, eXIf, tIME
//     and private chunks go. Kept chunks are copied byte for byte, CRCs
//     included.
//   - image/webp: EXIF, "XMP " and unknown chunks go, their VP8X flags are
//     cleared and the RIFF size is fixed. Because that size comes first in
//     the file, src must be an io.ReadSeeker (an *os.File, a
//     *bytes.Reader): a first pass reads only the chunk headers to learn
//     the size, a second copies from where src stood when called. Any
//     other src gives ErrNeedSeeker.
//   - image/gif: comment, plain-text and application extensions go, but
//     the looping ones (NETSCAPE2.0, ANIMEXTS1.0) and the ICC profile;
//     so XMP goes. Graphic controls, colour tables and image data are
//     copied byte for byte.
//
// Bytes after the image's end (JPEG EOI, PNG IEND, the RIFF size, the GIF
// trailer) are
// dropped: that is where appended archives and second images hide.
// Another contentType gives ErrUnsupported and writes nothing. A malformed
// file gives an error wrapping ErrMalformed; dst then holds a partial copy
// the caller must discard.
func StripMetadata(dst io.Writer, src io.Reader, contentType string) error {
	switch Canonical(contentType) {
	case "image/jpeg":
		return stripJPEG(dst, src)
	case "image/png":
		return stripPNG(dst, src)
	case "image/webp":
		rs, ok := src.(io.ReadSeeker)
		if !ok {
			return ErrNeedSeeker
		}
		return stripWebP(dst, rs)
	case "image/gif":
		return stripGIF(dst, src)
	}
	return ErrUnsupported
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// eof turns a premature end of input into ErrMalformed.
func eof(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return malformed("%s: truncated", what)
	}
	return err
}

// standalone reports whether a JPEG marker has no length and payload.
func standalone(m byte) bool {
	return m == markerTEM || m >= markerRST0 && m <= markerRST7 || m == markerSOI || m == markerEOI
}

// nextMarker reads up to and including the next marker byte, skipping
// stray bytes before it and fill bytes (0xFF) within it.
func nextMarker(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if c != 0xff {
			continue
		}
		for c == 0xff {
			if c, err = br.ReadByte(); err != nil {
				return 0, err
			}
		}
		if c != 0 {
			return c, nil
		}
	}
}

func stripJPEG(dst io.Writer, src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	bw := bufio.NewWriterSize(dst, 64<<10)
	var b [4]byte
	if _, err := io.ReadFull(br, b[:2]); err != nil || b[0] != 0xff || b[1] != markerSOI {
		return malformed("jpeg: no start of image")
	}
	_, _ = bw.Write(b[:2])
	var (
		pending    byte // a marker already read by the scan copier
		wroteOrien bool
	)
	for {
		m := pending
		pending = 0
		if m == 0 {
			var err error
			if m, err = nextMarker(br); err != nil {
				return eof(err, "jpeg")
			}
		}
		if m == markerEOI {
			_, _ = bw.Write([]byte{0xff, m})
			return bw.Flush()
		}
		if standalone(m) {
			if m == markerSOI {
				return malformed("jpeg: start of image inside the image")
			}
			_, _ = bw.Write([]byte{0xff, m})
			continue
		}
		if _, err := io.ReadFull(br, b[:2]); err != nil {
			return eof(err, "jpeg")
		}
		n := int(binary.BigEndian.Uint16(b[:2])) - 2
		if n < 0 {
			return malformed("jpeg: segment length %d", n+2)
		}
		switch {
		case m == markerAPP1:
			// Read the segment (at most 64 KiB) to keep its orientation.
			p := make([]byte, n)
			if _, err := io.ReadFull(br, p); err != nil {
				return eof(err, "jpeg")
			}
			if o, ok := exifOrientation(p); ok && o != 1 && !wroteOrien {
				_, _ = bw.Write(orientationOnlyExif(o))
				wroteOrien = true
			}
			continue
		case m == markerAPP0:
			id, _ := br.Peek(min(n, 14))
			if len(id) == 14 && bytes.HasPrefix(id, []byte("JFIF\x00")) {
				// Keep version, units and density; no thumbnail.
				_, _ = bw.Write([]byte{0xff, m, 0, 16})
				_, _ = bw.Write(id[:12])
				_, _ = bw.Write([]byte{0, 0})
			}
		case m == markerAPP2:
			id, _ := br.Peek(min(n, 12))
			if bytes.Equal(id, []byte("ICC_PROFILE\x00")) {
				_, _ = bw.Write([]byte{0xff, m, b[0], b[1]})
				if _, err := io.CopyN(bw, br, int64(n)); err != nil {
					return eof(err, "jpeg")
				}
				continue
			}
		case m == markerAPP14:
			id, _ := br.Peek(min(n, 5))
			if bytes.Equal(id, []byte("Adobe")) {
				_, _ = bw.Write([]byte{0xff, m, b[0], b[1]})
				if _, err := io.CopyN(bw, br, int64(n)); err != nil {
					return eof(err, "jpeg")
				}
				continue
			}
		case m > markerAPP2 && m <= markerAPP15 || m == markerCOM:
			// Dropped below.
		default:
			// Tables, frame and scan headers, restart interval: the image.
			_, _ = bw.Write([]byte{0xff, m, b[0], b[1]})
			if _, err := io.CopyN(bw, br, int64(n)); err != nil {
				return eof(err, "jpeg")
			}
			if m == markerSOS {
				var err error
				if pending, err = copyScan(bw, br); err != nil {
					return err
				}
			}
			continue
		}
		if _, err := br.Discard(n); err != nil {
			return eof(err, "jpeg")
		}
	}
}

// copyScan copies entropy-coded data, with its stuffed zero bytes and
// restart markers, up to the next other marker, which it consumes and
// returns.
func copyScan(bw *bufio.Writer, br *bufio.Reader) (byte, error) {
	for {
		if br.Buffered() < 2 {
			if _, err := br.Peek(2); err != nil && br.Buffered() == 0 {
				return 0, eof(err, "jpeg scan")
			}
		}
		buf, _ := br.Peek(br.Buffered())
		i := bytes.IndexByte(buf, 0xff)
		if i < 0 {
			_, _ = bw.Write(buf)
			_, _ = br.Discard(len(buf))
			continue
		}
		_, _ = bw.Write(buf[:i])
		_, _ = br.Discard(i)
		two, err := br.Peek(2)
		if err != nil {
			return 0, eof(err, "jpeg scan")
		}
		switch m := two[1]; {
		case m == 0 || m >= markerRST0 && m <= markerRST7:
			_, _ = bw.Write(two)
			_, _ = br.Discard(2)
		case m == 0xff: // fill byte
			_, _ = br.Discard(1)
		default:
			_, _ = br.Discard(2)
			return m, nil
		}
	}
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngKeep is the ancillary chunks that change how the image renders or
// animates, and so survive StripMetadata.
var pngKeep = map[string]bool{
	"gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true, "cICP": true,
	"mDCv": true, "cLLi": true, "sBIT": true, "pHYs": true, "tRNS": true,
	"bKGD": true, "hIST": true, "sPLT": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

func stripPNG(dst io.Writer, src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	bw := bufio.NewWriterSize(dst, 64<<10)
	var h [8]byte
	if _, err := io.ReadFull(br, h[:]); err != nil || !bytes.Equal(h[:], pngSignature) {
		return malformed("png: no signature")
	}
	_, _ = bw.Write(h[:])
	for first := true; ; first = false {
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return eof(err, "png")
		}
		n := binary.BigEndian.Uint32(h[:4])
		typ := string(h[4:8])
		if n > 1<<31-1 {
			return malformed("png: chunk %q length %d", typ, n)
		}
		if first && typ != "IHDR" {
			return malformed("png: first chunk is %q, not IHDR", typ)
		}
		critical := typ[0]&0x20 == 0
		if critical || pngKeep[typ] {
			_, _ = bw.Write(h[:])
			if _, err := io.CopyN(bw, br, int64(n)+4); err != nil {
				return eof(err, "png")
			}
		} else if _, err := br.Discard(int(n) + 4); err != nil {
			return eof(err, "png")
		}
		if typ == "IEND" {
			return bw.Flush()
		}
	}
}

// webpKeep is the RIFF chunks that make up a WebP image; any other chunk
// (EXIF, "XMP ", unknown ones) is metadata.
var webpKeep = map[string]bool{
	"VP8 ": true, "VP8L": true, "VP8X": true, "ALPH": true,
	"ANIM": true, "ANMF": true, "ICCP": true,
}

const (
	vp8xXMP  = 1 << 2
	vp8xEXIF = 1 << 3
)

func stripWebP(dst io.Writer, rs io.ReadSeeker) error {
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	var h [12]byte
	if _, err := io.ReadFull(rs, h[:]); err != nil || string(h[:4]) != "RIFF" || string(h[8:12]) != "WEBP" {
		return malformed("webp: no RIFF WEBP header")
	}
	riffSize := int64(binary.LittleEndian.Uint32(h[4:8]))
	end := start + 8 + riffSize
	if riffSize < 4 {
		return malformed("webp: RIFF size %d", riffSize)
	}

	// walk visits every chunk header in order; rs stands at the chunk's
	// payload when visit runs, which may read any part of it.
	walk := func(visit func(id string, size, padded int64, hdr []byte) error) error {
		pos := start + 12
		for pos < end {
			if _, err := rs.Seek(pos, io.SeekStart); err != nil {
				return err
			}
			var c [8]byte
			if _, err := io.ReadFull(rs, c[:]); err != nil {
				return eof(err, "webp")
			}
			size := int64(binary.LittleEndian.Uint32(c[4:8]))
			padded := size + size&1
			if pos+8+padded > end && pos+8+size != end {
				return malformed("webp: chunk %q runs past the RIFF end", c[:4])
			}
			if pos+8+padded > end {
				padded = size // the last chunk's pad byte is missing; copy as is
			}
			if err := visit(string(c[:4]), size, padded, c[:]); err != nil {
				return err
			}
			pos += 8 + padded
		}
		return nil
	}

	var dropped int64
	if err := walk(func(id string, _, padded int64, _ []byte) error {
		if !webpKeep[id] {
			dropped += 8 + padded
		}
		return nil
	}); err != nil {
		return err
	}

	bw := bufio.NewWriterSize(dst, 64<<10)
	binary.LittleEndian.PutUint32(h[4:8], uint32(riffSize-dropped))
	_, _ = bw.Write(h[:])
	err = walk(func(id string, size, padded int64, hdr []byte) error {
		if !webpKeep[id] {
			return nil
		}
		_, _ = bw.Write(hdr)
		if id == "VP8X" && size >= 1 {
			var f [1]byte
			if _, err := io.ReadFull(rs, f[:]); err != nil {
				return eof(err, "webp")
			}
			_ = bw.WriteByte(f[0] &^ (vp8xEXIF | vp8xXMP))
			padded--
		}
		if _, err := io.CopyN(bw, rs, padded); err != nil {
			return eof(err, "webp")
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
