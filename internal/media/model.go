// Package media is the media library: signed direct uploads, a durable
// processing pipeline (type sniffing, malware scan, metadata stripping,
// thumbnails), signed or public downloads, and titles and alt text in
// Persian and English.
package media

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// Permissions used by this feature.
const (
	PermView   authz.Permission = "media.view"
	PermUpload authz.Permission = "media.upload"
	PermDelete authz.Permission = "media.delete"
)

func init() {
	authz.Register(map[authz.Permission]string{
		PermView:   "See the media library",
		PermUpload: "Upload media",
		PermDelete: "Delete media",
	})
}

// Resource is the events and cache name of media.
const Resource = "media"

// Statuses of a media item.
const (
	Pending  = "pending"  // the signed upload was issued
	Scanning = "scanning" // the upload is complete; the pipeline runs
	Ready    = "ready"
	Rejected = "rejected" // refused type, infected, or not scanned when a scan is required
	Failed   = "failed"   // the upload never arrived, or processing gave up
)

// Reason codes: why the pipeline rejected (or failed) an item. They are
// stored with the item and answered as reason_code beside the English
// reason; clients translate the code, never the text.
const (
	ReasonNotArrived      = "not_arrived"      // failed: nothing was uploaded
	ReasonSizeMismatch    = "size_mismatch"    // storage holds another size than declared
	ReasonInfected        = "infected"         // the virus scanner found malware
	ReasonScanUnavailable = "scan_unavailable" // MEDIA_REQUIRE_SCAN without a scanner
	ReasonTypeNotAllowed  = "type_not_allowed" // the bytes are of a type not accepted
	ReasonTypeMismatch    = "type_mismatch"    // the bytes are not of the declared type
	ReasonDamaged         = "damaged"          // the image's structure is broken
	ReasonUndecodable     = "undecodable"      // the image could not be decoded
	ReasonTooManyPixels   = "too_many_pixels"  // more pixels than MEDIA_MAX_PIXELS
	ReasonTooMuchMemory   = "too_much_memory"  // decoding would need more than MEDIA_DECODE_MAX_BYTES
)

// Reasons lists the reason codes.
var Reasons = []string{ReasonNotArrived, ReasonSizeMismatch, ReasonInfected, ReasonScanUnavailable, ReasonTypeNotAllowed,
	ReasonTypeMismatch, ReasonDamaged, ReasonUndecodable, ReasonTooManyPixels, ReasonTooMuchMemory}

// Statuses lists them, for filters.
var Statuses = []string{Pending, Scanning, Ready, Rejected, Failed}

// Kinds group content types for filters.
var Kinds = []string{"image", "video", "audio", "document"}

// KindOf names the kind of a content type.
func KindOf(contentType string) string {
	switch {
	case strings.HasPrefix(contentType, "image/"):
		return "image"
	case strings.HasPrefix(contentType, "video/"):
		return "video"
	case strings.HasPrefix(contentType, "audio/"):
		return "audio"
	}
	return "document"
}

// Text is a string in Persian and English.
type Text struct {
	FA string `json:"fa"`
	EN string `json:"en"`
}

// Owner is who uploaded an item.
type Owner struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// Media is the API's media item.
type Media struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Kind        string `json:"kind"`
	Status      string `json:"status"`
	// Scan is pending, clean, infected or not_scanned.
	Scan string `json:"scan"`
	// Reason says, in English, why an item was rejected or failed;
	// ReasonCode is its stable code (see Reasons), which clients translate.
	Reason     string    `json:"reason"`
	ReasonCode string    `json:"reason_code"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	Title      Text      `json:"title"`
	Alt        Text      `json:"alt"`
	Owner      Owner     `json:"owner"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// URL downloads the file (signed and short-lived, or under the public
	// base URL); only for ready items.
	URL *string `json:"url"`
	// Thumbnails maps a side in pixels ("256", "1024") to an image URL.
	Thumbnails map[string]string `json:"thumbnails"`

	key       string
	uploadKey string // the staging key the signed PUT writes; "" on rows from before staging
	thumbs    []string
}

// stagingPrefix starts every upload key: the signed PUT writes
// stagingPrefix+object_key, and only the pipeline writes object_key.
const stagingPrefix = "staging/"

func stagingKey(key string) string { return stagingPrefix + key }

// source is the key the uploaded bytes arrive at.
func (m Media) source() string {
	if m.uploadKey != "" {
		return m.uploadKey
	}
	return m.key
}

// UploadInput is the body of POST /api/media/upload.
type UploadInput struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Validate checks an upload request against the size limit and the
// allowed types (the bytes are checked again once they arrive).
func (in *UploadInput) Validate(maxSize int64, allowed []string) error {
	fe := apperr.FieldErrors{}
	in.Filename = strings.TrimSpace(in.Filename)
	switch {
	case in.Filename == "":
		fe.Add("filename", "is required")
	case utf8.RuneCountInString(in.Filename) > 255 || strings.ContainsAny(in.Filename, "/\\\x00"):
		fe.Add("filename", "must be at most 255 characters, without slashes")
	}
	ct := strings.ToLower(strings.TrimSpace(strings.Split(in.ContentType, ";")[0]))
	in.ContentType = ct
	switch {
	case ct == "":
		fe.Add("content_type", "is required")
	case NoPreviewImage(ct):
		fe.Add("content_type", "HEIC, HEIF and AVIF images are not accepted: their metadata (GPS) cannot be removed "+
			"nor a preview made; convert them to JPEG, PNG or WebP")
	case !slices.Contains(allowed, ct):
		fe.Add("content_type", "is not allowed; allowed: "+strings.Join(allowed, ", "))
	}
	switch {
	case in.Size < 1:
		fe.Add("size", "must be at least 1 byte")
	case in.Size > maxSize:
		fe.Add("size", "must be at most "+humanBytes(maxSize))
	}
	if err := fe.Err(); err != nil {
		if NoPreviewImage(ct) {
			e, _ := apperr.As(err)
			return e.WithDetail("field_reasons", map[string]string{"content_type": ReasonImageNotSupported})
		}
		return err
	}
	return nil
}

// ReasonImageNotSupported is the field reason of an upload of a HEIC,
// HEIF or AVIF image.
const ReasonImageNotSupported = "image_type_not_supported"

// NoPreviewImage says whether ct is an image type Pishkhan refuses: HEIC,
// HEIF and AVIF cannot be decoded without cgo, so neither previewed nor
// stripped of their EXIF (GPS) safely; the browser converts them or the
// user does. Their bytes are refused too, whatever type was declared
// (they are not in any allowed list: config refuses them).
func NoPreviewImage(ct string) bool {
	switch ct {
	case "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/avif", "image/avif-sequence":
		return true
	}
	return false
}

// PatchInput is the body of PATCH /api/media/{id}: the fields to change.
type PatchInput struct {
	Title *Text `json:"title"`
	Alt   *Text `json:"alt"`
}

// Validate checks a patch.
func (in PatchInput) Validate() error {
	fe := apperr.FieldErrors{}
	if in.Title == nil && in.Alt == nil {
		fe.Add("title", "send title or alt")
	}
	for name, t := range map[string]*Text{"title": in.Title, "alt": in.Alt} {
		if t == nil {
			continue
		}
		for lang, v := range map[string]string{"fa": t.FA, "en": t.EN} {
			if utf8.RuneCountInString(v) > 500 || !utf8.ValidString(v) {
				fe.Add(name+"."+lang, "must be at most 500 characters")
			}
		}
	}
	return fe.Err()
}

// BulkDeleteInput is the body of POST /api/media/bulk-delete.
type BulkDeleteInput struct {
	IDs []int64 `json:"ids"`
}

func humanBytes(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
