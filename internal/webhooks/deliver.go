package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// UserAgent is the User-Agent of every delivery.
const UserAgent = "Pishkhan-Webhooks/1"

// DeliverArgs is the job sending one delivery. It is retried with River's
// backoff (about 1 s, 16 s, 81 s, 4 min, 10 min, 22 min, 40 min) up to
// MaxAttempts runs; every run is one attempt, kept on the delivery's row.
type DeliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts bounds the attempts.
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// Timeout leaves the request its 10 s and the bookkeeping some more.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return RequestTimeout + 20*time.Second
}

func (w *deliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	return w.s.deliver(ctx, j.Args.DeliveryID, j.Attempt >= j.MaxAttempts)
}

// deliver makes one attempt of a pending delivery and records it. It
// returns nil when the delivery is done (succeeded, finally failed, gone),
// an error for River to retry it, and a cancelled job when retrying cannot
// help (a refused address).
func (s *Service) deliver(ctx context.Context, id int64, lastAttempt bool) error {
	d, err := getDelivery(ctx, s.db.Reader(), id)
	if errors.Is(err, errNoRow) {
		return nil // its webhook was deleted
	}
	if err != nil {
		return err
	}
	if d.Status != Pending {
		return nil // an earlier run finished it
	}
	w, err := getWebhook(ctx, s.db.Reader(), d.WebhookID)
	if errors.Is(err, errNoRow) {
		return nil
	}
	if err != nil {
		return err
	}
	if !w.Active && d.Event != EventPing {
		return s.end(ctx, d, "the webhook was deactivated before this delivery was sent")
	}
	var a attempt
	secret, err := s.sealer.Open(w.sealed)
	if err != nil {
		slog.ErrorContext(ctx, "a webhook secret cannot be opened", "webhook_id", w.ID, "err", err)
		a = attempt{errText: "the signing secret cannot be opened with SECRET_KEY (or SECRET_KEY_OLD)"}
	} else {
		a = s.send(ctx, w.URL, d, secret)
	}
	refused := a.errText == ErrPrivateAddress.Error()
	ok := a.code != nil && *a.code >= 200 && *a.code < 300
	switch {
	case ok:
		a.status = Succeeded
	case refused || lastAttempt:
		a.status = Failed
	default:
		a.status = Pending
	}
	var recorded bool
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		recorded, err = recordAttempt(ctx, tx, d.ID, a, s.stamp())
		tx.Touch(deliveriesTag(d.WebhookID))
		return err
	})
	if err != nil {
		return err
	}
	code := 0
	if a.code != nil {
		code = *a.code
	}
	slog.InfoContext(ctx, "webhook delivery attempt", "webhook_id", w.ID, "delivery_id", d.DeliveryID,
		"event", d.Event, "host", hostOf(w.URL), "status", code, "outcome", string(a.status),
		"duration_ms", a.duration.Milliseconds(), "error", a.errText)
	if !recorded {
		return nil
	}
	s.changed(ctx, "updated", w.ID)
	switch {
	case ok:
		return nil
	case refused:
		return river.JobCancel(ErrPrivateAddress)
	case a.code != nil:
		return fmt.Errorf("webhook %d answered %d", w.ID, *a.code)
	default:
		return fmt.Errorf("webhook %d: %s", w.ID, a.errText)
	}
}

// end fails a pending delivery without sending it.
func (s *Service) end(ctx context.Context, d Delivery, why string) error {
	var done bool
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		done, err = failDelivery(ctx, tx, d.ID, why, s.stamp())
		tx.Touch(deliveriesTag(d.WebhookID))
		return err
	})
	if err == nil && done {
		s.changed(ctx, "updated", d.WebhookID)
	}
	return err
}

// send POSTs the delivery's stored body, signed, and reads at most
// MaxResponseRead bytes of the answer.
func (s *Service) send(ctx context.Context, target string, d Delivery, secret string) attempt {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(d.Payload))
	if err != nil {
		return attempt{errText: "the URL cannot be requested"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("X-Pishkhan-Event", d.Event)
	req.Header.Set("X-Pishkhan-Delivery", d.DeliveryID)
	req.Header.Set("X-Pishkhan-Signature", Sign(secret, d.Payload))
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return attempt{errText: describe(err), duration: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxResponseRead))
	code := resp.StatusCode
	a := attempt{code: &code, excerpt: excerpt(raw), duration: time.Since(start)}
	if code < 200 || code > 299 {
		a.errText = fmt.Sprintf("the receiver answered %d %s", code, http.StatusText(code))
	} else if rerr != nil {
		// a 2xx is the receiver's acknowledgement, whatever its body
		slog.DebugContext(ctx, "reading a webhook answer", "err", rerr)
	}
	return a
}

// describe says why an attempt got no answer, without the URL (which may
// carry a token of the receiver's).
func describe(err error) string {
	if errors.Is(err, ErrPrivateAddress) {
		return ErrPrivateAddress.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Sprintf("no answer within %s", RequestTimeout)
		}
		err = ue.Err
	}
	return truncate(err.Error(), maxErrorTextBytes)
}

// excerpt keeps the start of an answer as text storable on both engines:
// valid UTF-8, no NUL bytes, at most MaxResponseKeep bytes.
func excerpt(raw []byte) string {
	s := strings.ToValidUTF8(string(raw), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	return truncate(s, MaxResponseKeep)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
