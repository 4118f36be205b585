// Package mediaproc inspects and transforms uploaded media without knowing
// what the media is for: it tells a file's real type from its bytes (Sniff)
// and refuses what is not accepted (Allowed), removes the metadata a camera
// or an editor left in an image without re-encoding it (StripMetadata), and
// makes bounded-memory thumbnails (Thumbnails).
//
// Nothing here trusts a file name or a client's Content-Type: the bytes
// decide. Nothing here runs an external program or cgo.
package mediaproc

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// SniffLen is how many leading bytes Sniff looks at; give it at least this
// many when the file is that long.
const SniffLen = 512

// DefaultAllow is the content types accepted for upload unless a caller
// narrows or widens the list: raster images, PDF, and common video and
// audio. It never holds text/html or image/svg+xml: both can carry script
// that runs on this origin when opened.
var DefaultAllow = []string{
	"image/jpeg", "image/png", "image/webp", "image/gif",
	"application/pdf",
	"video/mp4", "video/webm", "video/quicktime",
	"audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4",
}

var (
	// ErrNotAllowed is returned (wrapped) by Allowed when the content's real
	// type is not in the allow-list.
	ErrNotAllowed = errors.New("file type not allowed")
	// ErrMismatch is returned (wrapped) by Allowed when the content's real
	// type is not the type the uploader declared.
	ErrMismatch = errors.New("file content does not match its declared type")
)

// Sniff returns the real content type of a file from its first bytes (pass
// at least the first SniffLen bytes; fewer only when the file is shorter).
// The answer is a bare, lower-case media type without parameters, in the
// canonical spelling Canonical returns. It is "application/octet-stream"
// when nothing is recognised.
//
// Besides what net/http.DetectContentType knows, it recognises WebP, AVIF,
// HEIC/HEIF, MP4 (video/mp4, audio/mp4 for M4A brands), QuickTime, 3GPP,
// WebM and Matroska, MPEG audio by ID3 tag or frame sync, AAC (ADTS), FLAC,
// Ogg (audio/ogg, or video/ogg for Theora), WAV, AVI, TIFF and PDF; and it
// reports SVG as image/svg+xml and HTML as text/html wherever in the head
// their markers appear, so both can be refused.
func Sniff(head []byte) string {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	if ct := sniffMagic(head); ct != "" {
		return ct
	}
	ct := Canonical(http.DetectContentType(head))
	if ct == "text/plain" || ct == "text/xml" || ct == "text/html" ||
		ct == "application/octet-stream" && looksLikeText(head) {
		if t := sniffMarkup(head); t != "" {
			return t
		}
	}
	return ct
}

func sniffMagic(b []byte) string {
	has := func(off int, sig string) bool {
		return len(b) >= off+len(sig) && string(b[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "RIFF") && has(8, "WEBP"):
		return "image/webp"
	case has(0, "RIFF") && has(8, "WAVE"):
		return "audio/wav"
	case has(0, "RIFF") && has(8, "AVI "):
		return "video/x-msvideo"
	case has(0, "%PDF-"):
		return "application/pdf"
	case has(4, "ftyp"):
		return sniffFtyp(b)
	case has(4, "moov"), has(4, "mdat"), has(4, "wide"), has(4, "pnot"):
		return "video/quicktime"
	case has(0, "\x1a\x45\xdf\xa3"):
		// EBML: the DocType element names the flavour.
		if bytes.Contains(b, []byte("webm")) {
			return "video/webm"
		}
		if bytes.Contains(b, []byte("matroska")) {
			return "video/x-matroska"
		}
		return "video/webm"
	case has(0, "OggS"):
		if bytes.Contains(b, []byte("\x80theora")) {
			return "video/ogg"
		}
		return "audio/ogg"
	case has(0, "fLaC"):
		return "audio/flac"
	case has(0, "ID3"):
		return "audio/mpeg"
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return "image/tiff"
	}
	if len(b) >= 4 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1] < 0xfe { // FF FE is a UTF-16 BOM
		// MPEG audio frame sync: 11 set bits, then version, layer, ...
		version, layer := (b[1]>>3)&3, (b[1]>>1)&3
		bitrate, rate := b[2]>>4, (b[2]>>2)&3
		switch {
		case layer == 0 && b[1]&0xf6 == 0xf0 && (b[2]>>2)&0xf < 13:
			return "audio/aac" // ADTS: layer is always 0
		case layer != 0 && version != 1 && bitrate != 0xf && rate != 3:
			return "audio/mpeg"
		}
	}
	return ""
}

// sniffFtyp reads the ISO base media file's major brand and, failing that,
// its compatible brands.
func sniffFtyp(b []byte) string {
	byBrand := func(brand string) string {
		switch brand {
		case "avif", "avis":
			return "image/avif"
		case "heic", "heix", "heim", "heis", "hevc", "hevx":
			return "image/heic"
		case "mif1", "msf1":
			return "image/heif"
		case "qt  ":
			return "video/quicktime"
		case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ":
			return "audio/mp4"
		case "3gp4", "3gp5", "3gp6", "3gp7", "3gs7", "3ge6", "3ge7", "3gg6":
			return "video/3gpp"
		case "3g2a", "3g2b", "3g2c":
			return "video/3gpp2"
		}
		return ""
	}
	if len(b) < 12 {
		return "video/mp4"
	}
	major := byBrand(string(b[8:12]))
	if major != "" && major != "image/heif" {
		return major
	}
	// A generic major brand (mif1, isom, ...): a compatible brand may name
	// the image format.
	size := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if size > len(b) {
		size = len(b)
	}
	for off := 16; off+4 <= size; off += 4 {
		if ct := byBrand(string(b[off : off+4])); ct == "image/avif" || ct == "image/heic" {
			return ct
		}
	}
	if major != "" {
		return major
	}
	return "video/mp4"
}

// sniffMarkup finds SVG or HTML in a textual head, even after a prolog,
// comments or a byte order mark.
func sniffMarkup(b []byte) string {
	l := bytes.ToLower(b)
	if bytes.Contains(l, []byte("<svg")) {
		return "image/svg+xml"
	}
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<script",
		"<iframe", "<object", "<embed", "<meta", "<style", "<a ", "<img", "<div", "<form"} {
		if bytes.Contains(l, []byte(tag)) {
			return "text/html"
		}
	}
	return ""
}

func looksLikeText(b []byte) bool {
	for _, c := range b {
		if c < 0x09 || c > 0x0d && c < 0x20 && c != 0x1b {
			return false
		}
	}
	return len(b) > 0
}

// aliases maps other spellings to the canonical type.
var aliases = map[string]string{
	"image/jpg":              "image/jpeg",
	"image/pjpeg":            "image/jpeg",
	"image/x-png":            "image/png",
	"image/x-webp":           "image/webp",
	"image/heif-sequence":    "image/heif",
	"image/x-ms-bmp":         "image/bmp",
	"application/x-pdf":      "application/pdf",
	"video/x-m4v":            "video/mp4",
	"video/mov":              "video/quicktime",
	"video/avi":              "video/x-msvideo",
	"video/msvideo":          "video/x-msvideo",
	"audio/mp3":              "audio/mpeg",
	"audio/x-mp3":            "audio/mpeg",
	"audio/mpeg3":            "audio/mpeg",
	"audio/x-mpeg":           "audio/mpeg",
	"audio/mpg":              "audio/mpeg",
	"audio/wave":             "audio/wav",
	"audio/x-wav":            "audio/wav",
	"audio/vnd.wave":         "audio/wav",
	"audio/x-pn-wav":         "audio/wav",
	"audio/m4a":              "audio/mp4",
	"audio/x-m4a":            "audio/mp4",
	"audio/aacp":             "audio/aac",
	"audio/x-aac":            "audio/aac",
	"audio/x-flac":           "audio/flac",
	"audio/vorbis":           "audio/ogg",
	"audio/opus":             "audio/ogg",
	"application/ogg":        "audio/ogg",
	"application/x-ogg":      "audio/ogg",
	"application/xhtml+xml":  "text/html",
	"image/svg":              "image/svg+xml",
	"application/x-gzip":     "application/gzip",
	"application/x-zip":      "application/zip",
	"audio/x-matroska":       "video/x-matroska",
	"application/x-matroska": "video/x-matroska",
}

// Canonical returns the bare, lower-case form of a media type with common
// aliases folded: "image/JPG; q=1" → "image/jpeg", "audio/x-wav" →
// "audio/wav". An empty or unparsable input gives "".
func Canonical(ct string) string {
	ct = strings.TrimSpace(ct)
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		if !strings.Contains(mt, "/") {
			return ""
		}
	}
	if a, ok := aliases[mt]; ok {
		return a
	}
	return mt
}

// sameContainer lists types that are one container whose declared flavour
// (audio or video) the bytes cannot settle: an .m4a is often an MP4 with a
// generic brand, a voice note in WebM or Ogg looks like any other.
var sameContainer = map[string]string{
	"video/mp4":  "mp4",
	"audio/mp4":  "mp4",
	"video/webm": "webm",
	"audio/webm": "webm",
	"video/ogg":  "ogg",
	"audio/ogg":  "ogg",
}

// activeContent is what a browser may run script from when it opens the
// file on our origin; Allowed refuses it whatever the allow-list says.
var activeContent = map[string]bool{
	"text/html": true, "image/svg+xml": true, "text/xml": true, "application/xml": true,
	"text/javascript": true, "application/javascript": true, "application/x-javascript": true,
	"application/ecmascript": true, "text/ecmascript": true,
}

// Allowed decides whether an upload may be kept, given the content type its
// uploader declared, the type Sniff found in its bytes and the allow-list
// (nil means DefaultAllow). It returns nil, or an error wrapping
// ErrNotAllowed when the sniffed type is not in the list or is active
// content (HTML, SVG, XML, script: refused even when honestly declared and
// even when a caller's list names it), or ErrMismatch when
// the declared type is a different type than the bytes. Aliases match
// (image/jpg is image/jpeg), as do audio and video flavours of one
// container (audio/mp4 declared, video/mp4 sniffed). An empty or
// "application/octet-stream" declaration declares nothing, so only the
// allow-list applies. The error messages are fit to show the uploader.
//
// Callers store the sniffed type, never the declared one.
func Allowed(declared, sniffed string, allow []string) error {
	if allow == nil {
		allow = DefaultAllow
	}
	s := Canonical(sniffed)
	ok := false
	for _, a := range allow {
		if Canonical(a) == s && s != "" && !activeContent[s] {
			ok = true
			break
		}
	}
	if !ok {
		if s == "" || s == "application/octet-stream" {
			return fmt.Errorf("%w: the file's type could not be recognised", ErrNotAllowed)
		}
		return fmt.Errorf("%w: the file is %s, which is not accepted", ErrNotAllowed, s)
	}
	d := Canonical(declared)
	if d == "" || d == "application/octet-stream" || d == s {
		return nil
	}
	if c, ok := sameContainer[d]; ok && sameContainer[s] == c {
		return nil
	}
	return fmt.Errorf("%w: declared as %s but the file is %s", ErrMismatch, d, s)
}
