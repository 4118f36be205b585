// Package storage keeps media objects: in an S3-compatible bucket (AWS S3,
// MinIO, Backblaze, R2, versitygw) or on local disk, behind one interface.
//
// Uploads never pass through the API process with S3: the server signs a
// short-lived PUT request binding the object key, its exact size and
// content type, and the browser sends the bytes straight to storage. The
// local-disk backend signs requests to Pishkhan's own upload endpoint the
// same way (an HMAC over the same fields), so the flow is one.
package storage

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound means no object has that key.
var ErrNotFound = errors.New("no such object")

// SignedRequest is a request the browser sends as is.
type SignedRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers must be sent with exactly these values.
	Headers map[string]string `json:"headers"`
	Expires time.Time         `json:"expires_at"`
}

// Object describes a stored object.
type Object struct {
	Size        int64
	ContentType string
}

// Storage is where media bytes live.
type Storage interface {
	// PresignPut signs an upload of exactly size bytes of contentType to
	// key, valid for ttl.
	PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (SignedRequest, error)
	// PresignGet signs a download valid for ttl; with attachment set the
	// response carries Content-Disposition: attachment with filename.
	PresignGet(ctx context.Context, key string, ttl time.Duration, attachment bool, filename string) (string, error)
	Stat(ctx context.Context, key string) (Object, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Put stores a derived object (a thumbnail, a stripped copy).
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	Name() string
}
