package mediaproc_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"sync"
	"testing"
)

// The fixtures are built here, byte by byte where the standard encoders
// cannot write the metadata a phone or editor would.

// Distinctive bytes of the metadata the fixtures carry; none may survive
// StripMetadata.
var (
	secretMake    = []byte("SecretCam")
	secretXMP     = []byte("http://ns.adobe.com/xap/1.0/")
	secretIPTC    = []byte("Photoshop 3.0")
	secretComment = []byte("secret comment: home address")
	secretText    = []byte("secret text chunk")
	trailingZip   = []byte("PK\x03\x04appended archive")
	// gpsLatitude is the GPSLatitude value, 35° 41' 51.83" as three
	// big-endian RATIONALs.
	gpsLatitude = rationals(35, 1, 41, 1, 518300, 10000)
)

func rationals(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.BigEndian.PutUint32(b[4*i:], x)
	}
	return b
}

// exifTIFF builds a big-endian TIFF structure as a camera writes it: IFD0
// with Make, Orientation and a GPS IFD pointer; the GPS IFD with latitude
// and longitude.
func exifTIFF(orientation int) []byte {
	var b bytes.Buffer
	be := binary.BigEndian
	w16 := func(v uint16) { b.Write(be.AppendUint16(nil, v)) }
	w32 := func(v uint32) { b.Write(be.AppendUint32(nil, v)) }
	entry := func(tag, typ uint16, count, value uint32) { w16(tag); w16(typ); w32(count); w32(value) }

	b.WriteString("MM\x00\x2a")
	w32(8)
	// IFD0 at 8: 3 entries → ends at 8+2+36+4 = 50; Make's text at 50.
	w16(3)
	entry(0x010f, 2, uint32(len(secretMake)+1), 50)
	entry(0x0112, 3, 1, uint32(orientation)<<16) // SHORT, left-justified
	entry(0x8825, 4, 1, 60)                      // GPS IFD at 60
	w32(0)
	b.Write(secretMake)
	b.WriteByte(0)
	// GPS IFD at 60: 4 entries → ends at 60+2+48+4 = 114.
	w16(4)
	entry(0x0001, 2, 2, uint32('N')<<24)
	entry(0x0002, 5, 3, 114)
	entry(0x0003, 2, 2, uint32('E')<<24)
	entry(0x0004, 5, 3, 138)
	w32(0)
	b.Write(gpsLatitude)
	b.Write(rationals(51, 1, 23, 1, 123456, 10000))
	return b.Bytes()
}

func segment(marker byte, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	s := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(p)+2))
	return append(s, p...)
}

// fakeICC stands in for an ICC profile; decoders ignore it, StripMetadata
// must keep it.
var fakeICC = segment(0xe2, []byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte{0x42}, 64))

// testImage is an opaque w×h picture with structure in both directions.
func testImage(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := m.PixOffset(x, y)
			m.Pix[i] = uint8(x * 255 / max(1, w-1))
			m.Pix[i+1] = uint8(y * 255 / max(1, h-1))
			m.Pix[i+2] = uint8((x ^ y) * 7)
			m.Pix[i+3] = 255
		}
	}
	return m
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withJPEGMetadata inserts, after SOI, what a phone and an editor leave in
// a JPEG: JFIF with a thumbnail, EXIF with GPS (and the orientation), XMP,
// an ICC profile, IPTC, Adobe, a comment; and appends data after EOI.
func withJPEGMetadata(plain []byte, orientation int) []byte {
	jfif := []byte("JFIF\x00\x01\x02\x00\x00\x48\x00\x48\x01\x01\xff\x00\x00") // 1×1 RGB thumbnail
	adobe := []byte("Adobe\x00\x64\x00\x00\x00\x00\x01")                       // transform 1: YCbCr
	var b bytes.Buffer
	b.Write(plain[:2])
	b.Write(segment(0xe0, jfif))
	b.Write(segment(0xe1, []byte("Exif\x00\x00"), exifTIFF(orientation)))
	b.Write(segment(0xe1, secretXMP, []byte("\x00<x:xmpmeta><rdf:Description/></x:xmpmeta>")))
	b.Write(fakeICC)
	b.Write(segment(0xed, secretIPTC, []byte("\x008BIM\x04\x04\x00\x00\x00\x00\x00\x00")))
	b.Write(segment(0xee, adobe))
	b.Write(segment(0xfe, secretComment))
	b.Write(plain[2:])
	b.Write(trailingZip)
	return b.Bytes()
}

// photoJPEG is a w×h JPEG carrying metadata with the given orientation.
func photoJPEG(t testing.TB, w, h, orientation int) []byte {
	return withJPEGMetadata(encodeJPEG(t, testImage(w, h)), orientation)
}

func pngChunk(typ string, data []byte) []byte {
	c := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(c, uint32(len(data)))
	copy(c[4:], typ)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngChunks lists a PNG's chunk types in order, up to IEND.
func pngChunks(t *testing.T, b []byte) []string {
	t.Helper()
	var types []string
	for p := 8; p+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[p:]))
		types = append(types, string(b[p+4:p+8]))
		if types[len(types)-1] == "IEND" {
			break
		}
		p += 12 + n
	}
	return types
}

// transparentImage is an NRGBA picture whose left half fades out.
func transparentImage(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if x < w/2 {
				a = uint8(x * 255 / max(1, w/2))
			}
			m.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 200, a})
		}
	}
	return m
}

// photoPNG is a PNG with text, EXIF, time and private chunks after IHDR,
// and a kept gAMA.
func photoPNG(t *testing.T) []byte {
	t.Helper()
	var plain bytes.Buffer
	if err := png.Encode(&plain, transparentImage(64, 48)); err != nil {
		t.Fatal(err)
	}
	p := plain.Bytes()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(secretText); err != nil || zw.Close() != nil {
		t.Fatal("zlib")
	}
	ihdrEnd := 8 + 12 + 13
	var b bytes.Buffer
	b.Write(p[:ihdrEnd])
	b.Write(pngChunk("gAMA", []byte{0, 0, 0xb1, 0x8f}))
	b.Write(pngChunk("tEXt", append([]byte("Comment\x00"), secretText...)))
	b.Write(pngChunk("zTXt", append([]byte("Description\x00\x00"), z.Bytes()...)))
	b.Write(pngChunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), secretXMP...)))
	b.Write(pngChunk("eXIf", exifTIFF(1)))
	b.Write(pngChunk("tIME", []byte{0x07, 0xe9, 1, 2, 3, 4, 5}))
	b.Write(pngChunk("prVt", secretComment))
	b.Write(p[ihdrEnd:])
	b.Write(trailingZip)
	return b.Bytes()
}

// bitWriter writes a VP8L bitstream: least significant bit first.
type bitWriter struct {
	b     []byte
	nbits uint
}

func (w *bitWriter) write(v uint32, n uint) {
	for i := range n {
		if w.nbits%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.nbits % 8)
		w.nbits++
	}
}

// vp8lPixels are the pixels of vp8lImage, row by row: green and red each
// take one of two values (one bit per pixel), blue and alpha are fixed.
var vp8lPixels = [2][4][2]bool{ // [y][x]{green high, red high}
	{{false, false}, {true, false}, {false, true}, {true, true}},
	{{true, true}, {false, true}, {true, false}, {false, false}},
}

// vp8lImage is a hand-built lossless WebP bitstream of a 4×2 image: no
// transforms, no colour cache, one group of "simple" Huffman codes.
func vp8lImage() []byte {
	var w bitWriter
	w.write(0x2f, 8) // signature
	w.write(4-1, 14)
	w.write(2-1, 14)
	w.write(0, 1) // alpha not used
	w.write(0, 3) // version
	w.write(0, 1) // no transform
	w.write(0, 1) // no colour cache
	w.write(0, 1) // no meta Huffman codes
	two := func(a, b uint32) { w.write(1, 1); w.write(1, 1); w.write(1, 1); w.write(a, 8); w.write(b, 8) }
	one := func(a uint32) { w.write(1, 1); w.write(0, 1); w.write(1, 1); w.write(a, 8) }
	two(0x10, 0xf0) // green
	two(0x20, 0xe0) // red
	one(0x80)       // blue
	one(0xff)       // alpha
	w.write(1, 1)   // distance: simple, one symbol, 1-bit symbol 0
	w.write(0, 1)
	w.write(0, 1)
	w.write(0, 1)
	for _, row := range vp8lPixels {
		for _, px := range row {
			for _, hi := range px {
				bit := uint32(0)
				if hi {
					bit = 1
				}
				w.write(bit, 1)
			}
		}
	}
	return append(w.b, 0, 0)
}

func riffChunk(id string, data []byte) []byte {
	c := make([]byte, 8, 9+len(data))
	copy(c, id)
	binary.LittleEndian.PutUint32(c[4:], uint32(len(data)))
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// photoWebP is an extended-format WebP (VP8X) around the VP8L image, with
// an XMP chunk before the image, an EXIF chunk after it, both flagged in
// VP8X, and bytes after the RIFF end.
func photoWebP() []byte {
	vp8x := []byte{0x08 | 0x04, 0, 0, 0, 4 - 1, 0, 0, 2 - 1, 0, 0}
	body := bytes.Join([][]byte{
		[]byte("WEBP"),
		riffChunk("VP8X", vp8x),
		riffChunk("XMP ", append(append([]byte{}, secretXMP...), "<x:xmpmeta/>!"...)),
		riffChunk("VP8L", vp8lImage()),
		riffChunk("EXIF", exifTIFF(1)),
	}, nil)
	head := []byte("RIFF\x00\x00\x00\x00")
	binary.LittleEndian.PutUint32(head[4:], uint32(len(body)))
	return append(append(head, body...), trailingZip...)
}

var (
	bigJPEGOnce sync.Once
	bigJPEG     []byte
)

// bigPhoto is a 6000×4000 (24 MP) baseline 4:2:0 JPEG, as a phone makes,
// built once per test binary.
func bigPhoto(t testing.TB) []byte {
	bigJPEGOnce.Do(func() {
		// Rows are copied from a few patterns, so building it is quick even
		// under the race detector; the pattern still gives the encoder
		// detail to code, as a photo would.
		m := image.NewYCbCr(image.Rect(0, 0, 6000, 4000), image.YCbCrSubsampleRatio420)
		pat := make([]byte, 6000+4000/16)
		for i := range pat {
			pat[i] = uint8(i/24 + i*i%13)
		}
		for y := range 4000 {
			copy(m.Y[y*m.YStride:(y+1)*m.YStride], pat[y/16+y%16:])
		}
		cpat := make([]byte, m.CStride+2000)
		for i := range cpat {
			cpat[i] = uint8(100 + i%50)
		}
		for y := range 2000 {
			copy(m.Cb[y*m.CStride:(y+1)*m.CStride], cpat[y%50:])
			copy(m.Cr[y*m.CStride:(y+1)*m.CStride], cpat[y%40+7:])
		}
		bigJPEG = withJPEGMetadata(encodeJPEG(t, m), 1)
	})
	return bigJPEG
}
