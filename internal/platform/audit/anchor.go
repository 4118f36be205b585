package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/filelock"
)

// Checkpoint is the chain's head as last seen after a commit, kept outside
// the database and signed, so that removing the newest rows (which leaves
// a shorter, still well-linked chain) or blanking every hash is visible.
//
// HeadID and HeadHash are the newest row when the checkpoint was taken,
// Rows how many rows with id <= HeadID the table held then (purges lower
// it), ChainFrom the first row that had to carry a hash: rows before it
// were written before the chain existed, any unhashed row from it on was
// blanked.
type Checkpoint struct {
	HeadID    int64     `json:"head_id"`
	HeadHash  string    `json:"head_hash"`
	Rows      int64     `json:"rows"`
	ChainFrom int64     `json:"chain_from"`
	At        time.Time `json:"at"`
	MAC       string    `json:"mac"`
}

func (c Checkpoint) mac(key []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "pishkhan audit checkpoint v1\n%d\n%s\n%d\n%d\n%d", c.HeadID, c.HeadHash, c.Rows, c.ChainFrom, c.At.UnixMicro())
	return hex.EncodeToString(m.Sum(nil))
}

// CheckpointStore keeps the signed checkpoint outside the audit table.
type CheckpointStore interface {
	// Load returns the stored bytes, nil when there are none.
	Load(ctx context.Context) ([]byte, error)
	// Swap stores next only if the stored bytes are still prev (nil: none
	// stored), and reports whether it did.
	Swap(ctx context.Context, prev, next []byte) (bool, error)
	// Where names the place for messages.
	Where() string
}

// Anchor checks and advances the checkpoint. Its key signs checkpoints;
// it must not be readable by whoever can rewrite both the audit table and
// the store.
type Anchor struct {
	Store CheckpointStore
	Key   []byte
	// OldKeys still verify checkpoints signed before a key rotation; the
	// next advance signs with Key.
	OldKeys [][]byte
	mu      sync.Mutex // one advance at a time per process
}

// errBadCheckpoint is a checkpoint that does not verify under the key.
var errBadCheckpoint = errors.New("the audit checkpoint's signature does not match: it was altered or written with another key")

// Load returns the stored checkpoint (nil when none) and its raw bytes.
func (a *Anchor) Load(ctx context.Context) (*Checkpoint, []byte, error) {
	raw, err := a.Store.Load(ctx)
	if err != nil || raw == nil {
		return nil, raw, err
	}
	var c Checkpoint
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, raw, errBadCheckpoint
	}
	for _, k := range append([][]byte{a.Key}, a.OldKeys...) {
		if hmac.Equal([]byte(c.mac(k)), []byte(c.MAC)) {
			return &c, raw, nil
		}
	}
	return nil, raw, errBadCheckpoint
}

func (a *Anchor) swap(ctx context.Context, prev []byte, c Checkpoint) (bool, error) {
	c.At = time.Now().UTC().Truncate(time.Microsecond)
	c.MAC = c.mac(a.Key)
	next, err := json.Marshal(c)
	if err != nil {
		return false, err
	}
	return a.Store.Swap(ctx, prev, next)
}

// head is the newest row's id and hash (0, "" for an empty table).
func head(ctx context.Context, q db.Querier) (int64, string, error) {
	var id int64
	var hash string
	err := q.QueryRow(ctx, `SELECT id, hash FROM audit_logs ORDER BY id DESC LIMIT 1`).Scan(&id, &hash)
	if errors.Is(err, db.ErrNoRows) {
		return 0, "", nil
	}
	return id, hash, err
}

func countRange(ctx context.Context, q db.Querier, after, through int64) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM audit_logs WHERE id > ? AND id <= ?`, after, through).Scan(&n)
	return n, err
}

// rowHash is the stored hash of row id; ok is false when the row is gone.
func rowHash(ctx context.Context, q db.Querier, id int64) (hash string, ok bool, err error) {
	err = q.QueryRow(ctx, `SELECT hash FROM audit_logs WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, db.ErrNoRows) {
		return "", false, nil
	}
	return hash, err == nil, err
}

// Advance moves the checkpoint to the table's newest committed row. It
// runs after every commit that wrote audit rows. It refuses to move past a
// checkpointed head that is no longer in the table, or whose hash changed,
// so that truncating the tail and then appending cannot launder the
// checkpoint; Verify then reports it. Without a checkpoint (first run, or
// the store lost it) it starts one from the table as it is, and logs that.
func (a *Anchor) Advance(ctx context.Context, q db.Querier) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for attempt := 0; attempt < 5; attempt++ {
		cur, raw, err := a.Load(ctx)
		if err != nil {
			return err
		}
		id, hash, err := head(ctx, q)
		if err != nil || id == 0 {
			return err
		}
		var next Checkpoint
		if cur == nil {
			n, err := countRange(ctx, q, 0, id)
			if err != nil {
				return err
			}
			var from int64
			if err := q.QueryRow(ctx, `SELECT COALESCE(MIN(id), 0) FROM audit_logs WHERE hash <> ''`).Scan(&from); err != nil {
				return err
			}
			next = Checkpoint{HeadID: id, HeadHash: hash, Rows: n, ChainFrom: from}
			if n > 1 {
				slog.WarnContext(ctx, "audit checkpoint started over an existing log: rows before it are trusted as they are",
					"store", a.Store.Where(), "head_id", id, "rows", n)
			}
		} else {
			if id <= cur.HeadID {
				if id < cur.HeadID {
					return fmt.Errorf("audit chain: the newest row is %d but the checkpoint records row %d: rows were removed", id, cur.HeadID)
				}
				return nil
			}
			h, ok, err := rowHash(ctx, q, cur.HeadID)
			if err != nil {
				return err
			}
			if !ok && cur.Rows == 0 {
				// a purge emptied the table; audit_anchor records its last row
				var through int64
				if err := q.QueryRow(ctx, `SELECT purged_through_id, hash FROM audit_anchor WHERE id = 1`).Scan(&through, &h); err != nil && !errors.Is(err, db.ErrNoRows) {
					return err
				}
				ok = through == cur.HeadID
			}
			if !ok || h != cur.HeadHash {
				return fmt.Errorf("audit chain: checkpointed row %d is gone or altered; the checkpoint is kept for audit verify", cur.HeadID)
			}
			n, err := countRange(ctx, q, cur.HeadID, id)
			if err != nil {
				return err
			}
			next = Checkpoint{HeadID: id, HeadHash: hash, Rows: cur.Rows + n, ChainFrom: cur.ChainFrom}
		}
		ok, err := a.swap(ctx, raw, next)
		if err != nil || ok {
			return err
		}
		// another writer moved it meanwhile: look again
	}
	return errors.New("audit checkpoint: too much contention")
}

// afterPurge rewrites the checkpoint once a purge of every row up to
// last (purged rows) has committed: purged rows are expected to be gone.
// A checkpoint whose head survived keeps it and counts purged fewer rows;
// otherwise it restarts at the table's newest row (or, for an emptied
// table, at the last purged row, which audit_anchor records too).
func (a *Anchor) afterPurge(ctx context.Context, q db.Querier, last Row, purged int64) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for attempt := 0; attempt < 5; attempt++ {
		cur, raw, err := a.Load(ctx)
		if err != nil && !errors.Is(err, errBadCheckpoint) {
			return err
		}
		if err != nil {
			return err // keep the evidence
		}
		var next Checkpoint
		if cur != nil && cur.HeadID > last.ID {
			next = *cur
			next.Rows -= purged
		} else {
			id, hash, err := head(ctx, q)
			if err != nil {
				return err
			}
			n, err := countRange(ctx, q, 0, id)
			if err != nil {
				return err
			}
			next = Checkpoint{HeadID: id, HeadHash: hash, Rows: n}
			if id == 0 {
				next.HeadID, next.HeadHash = last.ID, last.Hash
			}
			if cur != nil {
				next.ChainFrom = cur.ChainFrom
			}
		}
		ok, err := a.swap(ctx, raw, next)
		if err != nil || ok {
			return err
		}
	}
	return errors.New("audit checkpoint: too much contention")
}

// RedisCheckpoints keeps the checkpoint in Redis (production). The key has
// no expiry: run Redis with a maxmemory-policy that evicts only keys with a
// TTL (volatile-*) or none, and with persistence, or the checkpoint starts
// over after a loss (logged; verify reports a missing checkpoint until the
// next write).
type RedisCheckpoints struct {
	Client redis.UniversalClient
	Key    string
}

// swapScript sets KEYS[1] to ARGV[2] if it still holds ARGV[1] ("" = absent).
var swapScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if (cur == false and ARGV[1] == '') or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`)

// Load implements CheckpointStore.
func (r RedisCheckpoints) Load(ctx context.Context) ([]byte, error) {
	b, err := r.Client.Get(ctx, r.Key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return b, err
}

// Swap implements CheckpointStore.
func (r RedisCheckpoints) Swap(ctx context.Context, prev, next []byte) (bool, error) {
	n, err := swapScript.Run(ctx, r.Client, []string{r.Key}, string(prev), string(next)).Int()
	return n == 1, err
}

// Where implements CheckpointStore.
func (r RedisCheckpoints) Where() string { return "redis key " + r.Key }

// FileCheckpoints keeps the checkpoint in a file (the embedded default:
// beside the database, not in it). Swaps take an advisory lock on a
// sibling lock file, so `serve` and `audit purge` do not interleave.
type FileCheckpoints struct{ Path string }

// Load implements CheckpointStore.
func (f FileCheckpoints) Load(context.Context) ([]byte, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Swap implements CheckpointStore.
func (f FileCheckpoints) Swap(ctx context.Context, prev, next []byte) (bool, error) {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return false, err
	}
	unlock, err := filelock.Lock(f.Path + ".lock")
	if err != nil {
		return false, err
	}
	defer unlock()
	cur, err := f.Load(ctx)
	if err != nil {
		return false, err
	}
	if !bytes.Equal(cur, prev) {
		return false, nil
	}
	tmp := f.Path + ".tmp" + strconv.Itoa(os.Getpid())
	w, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return false, err
	}
	_, err = w.Write(next)
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.Path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return false, err
	}
	return true, nil
}

// Where implements CheckpointStore.
func (f FileCheckpoints) Where() string { return "file " + f.Path }
