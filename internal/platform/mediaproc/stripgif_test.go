package mediaproc_test

import (
	"bytes"
	"errors"
	"image"
	"image/color/palette"
	"image/gif"
	"slices"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
)

// gifExt is a GIF extension: introducer, label, data in sub-blocks.
func gifExt(label byte, blocks ...[]byte) []byte {
	b := []byte{0x21, label}
	for _, blk := range blocks {
		b = append(append(b, byte(len(blk))), blk...)
	}
	return append(b, 0)
}

// animatedGIF is a looping two-frame GIF carrying a comment, XMP (with
// its magic trailer), a private application block and a plain-text
// extension, and an archive after its trailer.
func animatedGIF(t *testing.T) []byte {
	t.Helper()
	anim := &gif.GIF{LoopCount: 0}
	for i := range 2 {
		m := image.NewPaletted(image.Rect(0, 0, 40, 30), palette.Plan9)
		for j := range m.Pix {
			m.Pix[j] = uint8(j*7 + i*40)
		}
		anim.Image = append(anim.Image, m)
		anim.Delay = append(anim.Delay, 10*(i+1))
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, anim); err != nil {
		t.Fatal(err)
	}
	enc := b.Bytes()
	if enc[len(enc)-1] != 0x3b {
		t.Fatal("no GIF trailer")
	}
	// XMP is stored raw after its 11-byte identifier, then a 258-byte
	// "magic trailer" (0x01, 0xFF down to 0x00, 0x00) on which a reader
	// walking the raw bytes as sub-block sizes lands on a terminator
	magic := []byte{1}
	for i := 0xff; i >= 0; i-- {
		magic = append(magic, byte(i))
	}
	magic = append(magic, 0)
	xmp := append([]byte("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:Description xmlns:xmp=\""), secretXMP...)
	xmp = append(xmp, "\"/></x:xmpmeta>"...)
	var ext []byte
	ext = append(ext, gifExt(0xfe, secretComment)...)
	ext = append(append(append(ext, 0x21, 0xff, 11), "XMP DataXMP"...), xmp...)
	ext = append(ext, magic...)
	ext = append(ext, gifExt(0xff, []byte("SECRETAPP10"), secretMake)...)
	ext = append(ext, gifExt(0x01, make([]byte, 12), secretText)...)
	out := append(append([]byte{}, enc[:len(enc)-1]...), ext...)
	out = append(out, 0x3b)
	return append(out, trailingZip...)
}

// A GIF loses its comments, XMP, private application data and plain text
// without being re-encoded: frames, delays and looping are unchanged.
func TestStripGIFRemovesCommentsAndXMP(t *testing.T) {
	in := animatedGIF(t)
	if _, err := gif.DecodeAll(bytes.NewReader(in)); err != nil {
		t.Fatalf("the fixture does not decode: %v", err)
	}
	out := strip(t, in, "image/gif")
	mustNotContain(t, out, secretComment, secretXMP, []byte("XMP DataXMP"), []byte("SECRETAPP10"), secretMake, secretText, trailingZip)
	if !bytes.Contains(out, []byte("NETSCAPE2.0")) {
		t.Fatal("the looping extension was dropped")
	}
	a, _ := gif.DecodeAll(bytes.NewReader(in))
	b, err := gif.DecodeAll(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("the stripped GIF does not decode: %v", err)
	}
	if len(a.Image) != len(b.Image) || !slices.Equal(a.Delay, b.Delay) || a.LoopCount != b.LoopCount {
		t.Fatalf("frames %d/%d, delays %v/%v, loop %d/%d", len(a.Image), len(b.Image), a.Delay, b.Delay, a.LoopCount, b.LoopCount)
	}
	for i := range a.Image {
		if !bytes.Equal(a.Image[i].Pix, b.Image[i].Pix) {
			t.Fatalf("frame %d changed", i)
		}
	}
	for _, bad := range [][]byte{in[:5], in[:20], append([]byte("GIF89a"), make([]byte, 7)...)} {
		if err := mediaproc.StripMetadata(&bytes.Buffer{}, bytes.NewReader(bad), "image/gif"); !errors.Is(err, mediaproc.ErrMalformed) {
			t.Errorf("a broken GIF (%d bytes): %v", len(bad), err)
		}
	}
}
