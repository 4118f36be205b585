package auth_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/readbatch"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// Redis sessions on every kind of Redis: created, read, touched, deleted
// one by one and all of a user's at once (keys spread over cluster slots).
func TestRedisSessionsOnEveryRedis(t *testing.T) {
	for _, kind := range testkit.RedisKinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			d := testkit.OpenDB(t, testkit.Engines[0])
			now := time.Now()
			var uid int64
			if err := d.Writer().QueryRow(ctx, `INSERT INTO users (email, email_lower, password_hash, created_at, updated_at)
				VALUES ('s@example.com', 's@example.com', 'x', ?, ?) RETURNING id`, now.UnixMicro(), now.UnixMicro()).Scan(&uid); err != nil {
				t.Fatal(err)
			}
			client := testkit.RedisClient(t, kind)
			store := auth.NewRedisSessions(auth.DBSessions{DB: d}, client, readbatch.New(readbatch.RedisFetch(client), time.Second), "sess-test-"+kind+":", time.Second)
			var hashes []string
			for i := range 6 {
				h := auth.HashSessionID("session-" + kind + strconv.Itoa(i))
				se, err := store.Create(ctx, auth.Session{IDHash: h, UserID: uid, CSRFToken: "c", CreatedAt: now, LastSeenAt: now}, time.Hour)
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				if err := store.Touch(ctx, se, time.Hour); err != nil {
					t.Fatalf("touch: %v", err)
				}
				hashes = append(hashes, h)
			}
			for _, h := range hashes {
				if se, err := store.Get(ctx, h); err != nil || se.UserID != uid {
					t.Fatalf("get: %+v %v", se, err)
				}
			}
			if err := store.Delete(ctx, hashes[0]); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Get(ctx, hashes[0]); !errors.Is(err, auth.ErrNoSession) {
				t.Fatalf("a deleted session answered %v", err)
			}
			if err := store.DeleteUser(ctx, uid); err != nil {
				t.Fatalf("delete the user's sessions: %v", err)
			}
			for _, h := range hashes {
				if _, err := store.Get(ctx, h); !errors.Is(err, auth.ErrNoSession) {
					t.Fatalf("after deleting the user's sessions one answered %v", err)
				}
			}
		})
	}
}
