package mediaproc_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
)

func ftyp(major string, compat ...string) []byte {
	b := []byte{0, 0, 0, byte(16 + 4*len(compat))}
	b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
	for _, c := range compat {
		b = append(b, c...)
	}
	return append(b, "\x00\x00\x00\x08free"...)
}

func TestSniff(t *testing.T) {
	cases := []struct {
		name string
		head []byte
		want string
	}{
		{"jpeg", photoJPEG(t, 8, 8, 1), "image/jpeg"},
		{"png", encodePNG(t, testImage(2, 2)), "image/png"},
		{"gif", encodeGIF(t, testImage(2, 2)), "image/gif"},
		{"webp", photoWebP(), "image/webp"},
		{"avif", ftyp("avif", "mif1", "miaf"), "image/avif"},
		{"avif behind a generic brand", ftyp("mif1", "avif"), "image/avif"},
		{"heic", ftyp("heic", "mif1"), "image/heic"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "application/pdf"},
		{"mp4", ftyp("isom", "iso2", "avc1", "mp41"), "video/mp4"},
		{"m4a", ftyp("M4A ", "isom"), "audio/mp4"},
		{"quicktime", ftyp("qt  "), "video/quicktime"},
		{"old quicktime", []byte("\x00\x00\x00\x20moov\x00\x00"), "video/quicktime"},
		{"webm", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), "video/webm"},
		{"matroska", []byte("\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska"), "video/x-matroska"},
		{"mp3 with ID3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), "audio/mpeg"},
		{"mp3 frame", []byte{0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0}, "audio/mpeg"},
		{"aac adts", []byte{0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc}, "audio/aac"},
		{"ogg vorbis", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01vorbis"), "audio/ogg"},
		{"ogg theora", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x80theora"), "video/ogg"},
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), "audio/wav"},
		{"flac", []byte("fLaC\x00\x00\x00\x22"), "audio/flac"},
		{"html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), "text/html"},
		{"html after a comment", []byte("<!-- x --><script>alert(1)</script>"), "text/html"},
		{"html after a BOM", []byte("\xef\xbb\xbf  <html>"), "text/html"},
		{"svg with prolog", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "image/svg+xml"},
		{"bare svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "image/svg+xml"},
		{"text", []byte("just some words"), "text/plain"},
		{"nothing known", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8}, "application/octet-stream"},
		{"empty", nil, "text/plain"},
	}
	for _, c := range cases {
		if got := mediaproc.Sniff(c.head); got != c.want {
			t.Errorf("%s: Sniff = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAllowed(t *testing.T) {
	html := mediaproc.Sniff([]byte("<html><body><script>steal()</script>"))
	svg := mediaproc.Sniff([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>steal()</script></svg>`))
	cases := []struct {
		name              string
		declared, sniffed string
		allow             []string
		want              error
	}{
		{"jpeg", "image/jpeg", "image/jpeg", nil, nil},
		{"jpg alias", "image/jpg", "image/jpeg", nil, nil},
		{"declared with parameters", "Image/PNG; charset=binary", "image/png", nil, nil},
		{"nothing declared", "", "image/webp", nil, nil},
		{"octet-stream declares nothing", "application/octet-stream", "application/pdf", nil, nil},
		{"m4a sniffed as mp4", "audio/mp4", "video/mp4", nil, nil},
		{"wav alias", "audio/x-wav", "audio/wav", nil, nil},
		{"a .jpg that is HTML", "image/jpeg", html, nil, mediaproc.ErrNotAllowed},
		{"HTML declared as HTML", "text/html", html, nil, mediaproc.ErrNotAllowed},
		{"SVG declared as SVG", "image/svg+xml", svg, nil, mediaproc.ErrNotAllowed},
		{"SVG even in a careless list", "image/svg+xml", svg, []string{"image/png", "image/svg+xml"}, mediaproc.ErrNotAllowed},
		{"HTML even in a careless list", "text/html", html, []string{"text/html"}, mediaproc.ErrNotAllowed},
		{"png declared as jpeg", "image/jpeg", "image/png", nil, mediaproc.ErrMismatch},
		{"video declared as image", "image/jpeg", "video/mp4", nil, mediaproc.ErrMismatch},
		{"unknown bytes", "image/jpeg", "application/octet-stream", nil, mediaproc.ErrNotAllowed},
		{"narrow list", "image/jpeg", "image/jpeg", []string{"image/png"}, mediaproc.ErrNotAllowed},
		{"heic not in default list", "image/heic", "image/heic", nil, mediaproc.ErrNotAllowed},
	}
	for _, c := range cases {
		err := mediaproc.Allowed(c.declared, c.sniffed, c.allow)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: Allowed(%q, %q) = %v, want %v", c.name, c.declared, c.sniffed, err, c.want)
		}
	}
}

// The messages name what was found, so an uploader knows what went wrong.
func TestAllowedMessages(t *testing.T) {
	err := mediaproc.Allowed("image/jpeg", "text/html", nil)
	if err == nil || err.Error() != "file type not allowed: the file is text/html, which is not accepted" {
		t.Errorf("got %v", err)
	}
	err = mediaproc.Allowed("image/jpeg", "image/png", nil)
	if err == nil || err.Error() != "file content does not match its declared type: declared as image/jpeg but the file is image/png" {
		t.Errorf("got %v", err)
	}
}

func TestDefaultAllowNeverHoldsActiveContent(t *testing.T) {
	for _, bad := range []string{"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml", "application/javascript", "text/javascript"} {
		for _, a := range mediaproc.DefaultAllow {
			if mediaproc.Canonical(a) == mediaproc.Canonical(bad) {
				t.Errorf("DefaultAllow holds %s", bad)
			}
		}
	}
	for _, want := range []string{"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf",
		"video/mp4", "video/webm", "video/quicktime", "audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4"} {
		if !slices.Contains(mediaproc.DefaultAllow, want) {
			t.Errorf("DefaultAllow lacks %s", want)
		}
	}
}
