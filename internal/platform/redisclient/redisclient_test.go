package redisclient_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/redisclient"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	single := testkit.StartRedis(t)
	cluster := testkit.SharedRedisCluster(t)
	for url, wantCluster := range map[string]bool{single.URL: false, cluster.URL: true} {
		c, err := redisclient.Open(url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if _, isCluster := c.(*redis.ClusterClient); isCluster != wantCluster {
			t.Fatalf("%s: client %T", url, c)
		}
		if err := c.Set(ctx, "open-test", "1", 0).Err(); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		_ = c.Close()
	}
	for _, bad := range []string{"127.0.0.1:6379", "http://127.0.0.1:6379", "redis+cluster://", "redis+cluster://h:1?nope=1"} {
		if _, err := redisclient.Open(bad); err == nil {
			t.Fatalf("%q was accepted", bad)
		}
	}
}

// A URL that does not parse is refused without echoing its password.
func TestOpenKeepsThePasswordOutOfErrors(t *testing.T) {
	for _, u := range []string{
		"redis://user:s3cretpw@127.0.0.1:bad/0",
		"redis://:s3cretpw@[::1/0",
		"redis+cluster://user:s3cretpw@127.0.0.1:bad?addr=127.0.0.1:7001",
		"rediss+cluster://:s3cretpw@127.0.0.1:bad",
	} {
		_, err := redisclient.Open(u)
		if err == nil {
			t.Fatalf("%s: opened", u)
		}
		if strings.Contains(err.Error(), "s3cretpw") {
			t.Fatalf("the error quotes the password: %v", err)
		}
	}
}
