package mediaproc

import (
	"bufio"
	"io"
)

// gifKeptApps are the application extensions a GIF keeps: looping
// (Netscape's and its clone's) and the colour profile. XMP and every
// other application's data go.
var gifKeptApps = map[string]bool{"NETSCAPE2.0": true, "ANIMEXTS1.0": true, "ICCRGBG1012": true}

// stripGIF copies a GIF without its comment, plain-text and application
// extensions (but gifKeptApps), block by block: the header, colour
// tables, graphic controls and image data are copied byte for byte, and
// what follows the trailer is dropped.
func stripGIF(dst io.Writer, src io.Reader) error {
	br := bufio.NewReader(src)
	bw := bufio.NewWriter(dst)
	head := make([]byte, 13) // signature, logical screen descriptor
	if _, err := io.ReadFull(br, head); err != nil {
		return eof(err, "GIF header")
	}
	if string(head[:6]) != "GIF87a" && string(head[:6]) != "GIF89a" {
		return malformed("not a GIF signature")
	}
	_, _ = bw.Write(head)
	if err := copyTable(bw, br, head[10]); err != nil {
		return err
	}
	for {
		intro, err := br.ReadByte()
		if err != nil {
			return eof(err, "GIF block")
		}
		switch intro {
		case 0x3b: // trailer
			_ = bw.WriteByte(intro)
			return bw.Flush()
		case 0x2c: // image descriptor, local colour table, LZW data
			desc := make([]byte, 9)
			if _, err := io.ReadFull(br, desc); err != nil {
				return eof(err, "GIF image descriptor")
			}
			_ = bw.WriteByte(intro)
			_, _ = bw.Write(desc)
			if err := copyTable(bw, br, desc[8]); err != nil {
				return err
			}
			minCode, err := br.ReadByte()
			if err != nil {
				return eof(err, "GIF image data")
			}
			_ = bw.WriteByte(minCode)
			if err := subBlocks(bw, br, nil); err != nil {
				return err
			}
		case 0x21: // extension
			label, err := br.ReadByte()
			if err != nil {
				return eof(err, "GIF extension")
			}
			switch label {
			case 0xf9: // graphic control: delays, transparency, disposal
				_, _ = bw.Write([]byte{intro, label})
				if err := subBlocks(bw, br, nil); err != nil {
					return err
				}
			case 0xff: // application: kept only for looping and colour
				var first []byte
				if err := subBlocks(nil, br, &first); err != nil {
					return err
				}
				if len(first) == 0 { // empty: already ended, dropped
					continue
				}
				if gifKeptApps[string(first)] {
					// the first block was read apart; write it, then copy the rest
					_, _ = bw.Write([]byte{intro, label, byte(len(first))})
					_, _ = bw.Write(first)
					if err := subBlocks(bw, br, nil); err != nil {
						return err
					}
				} else if err := subBlocks(nil, br, nil); err != nil {
					return err
				}
			default: // comment (0xfe), plain text (0x01), unknown
				if err := subBlocks(nil, br, nil); err != nil {
					return err
				}
			}
		default:
			return malformed("GIF block 0x%02x", intro)
		}
	}
}

// copyTable copies the colour table a packed field announces.
func copyTable(bw *bufio.Writer, br *bufio.Reader, packed byte) error {
	if packed&0x80 == 0 {
		return nil
	}
	if _, err := io.CopyN(bw, br, 3<<((packed&7)+1)); err != nil {
		return eof(err, "GIF colour table")
	}
	return nil
}

// subBlocks copies data sub-blocks up to and including the empty one to
// bw (skips them when bw is nil). With first set, it reads only the first
// sub-block into *first and stops there (an empty first block ends the
// sequence and leaves *first empty).
func subBlocks(bw *bufio.Writer, br *bufio.Reader, first *[]byte) error {
	for {
		n, err := br.ReadByte()
		if err != nil {
			return eof(err, "GIF sub-block")
		}
		if first != nil {
			if n == 0 {
				return nil
			}
			*first = make([]byte, n)
			if _, err := io.ReadFull(br, *first); err != nil {
				return eof(err, "GIF sub-block")
			}
			return nil
		}
		if bw != nil {
			_ = bw.WriteByte(n)
		}
		if n == 0 {
			return nil
		}
		w := io.Discard
		if bw != nil {
			w = bw
		}
		if _, err := io.CopyN(w, br, int64(n)); err != nil {
			return eof(err, "GIF sub-block")
		}
	}
}
