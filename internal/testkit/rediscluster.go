package testkit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCluster is a Redis Cluster of three masters and three replicas on
// loopback, shared by every test of one test binary (six servers are too
// many to start per test on a small machine). Tests keep apart by key
// prefix and by the resources they publish on.
type RedisCluster struct {
	Addrs []string
	// URL is the cluster's REDIS_URL (redis+cluster://…).
	URL string
}

// Client returns a cluster client, closed when the test ends.
func (c *RedisCluster) Client(t testing.TB) *redis.ClusterClient {
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

var (
	clusterOnce sync.Once
	cluster     *RedisCluster
	clusterErr  error
)

// SharedRedisCluster starts the binary's cluster on first use and answers
// it to every later caller. Its servers die with the test binary.
func SharedRedisCluster(t testing.TB) *RedisCluster {
	t.Helper()
	clusterOnce.Do(func() { cluster, clusterErr = startRedisCluster() })
	if clusterErr != nil {
		t.Fatalf("Redis Cluster (3 masters + 3 replicas) is required for this test: %v", clusterErr)
	}
	return cluster
}

// startRedisCluster starts six cluster-mode servers and joins them with
// redis-cli --cluster create. The servers are started from an OS thread
// that never exits, with the parent-death signal set, so they are killed
// when the test binary ends however it ends.
func startRedisCluster() (*RedisCluster, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pishkhan-redis-cluster-")
	if err != nil {
		return nil, err
	}
	c := &RedisCluster{}
	started := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: Pdeathsig follows this thread
		for i := 0; i < 6; i++ {
			port, err := clusterPort()
			if err != nil {
				started <- err
				return
			}
			addr := "127.0.0.1:" + strconv.Itoa(port)
			nodeDir := filepath.Join(dir, strconv.Itoa(port))
			if err := os.MkdirAll(nodeDir, 0o700); err != nil {
				started <- err
				return
			}
			cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
				"--appendonly", "no", "--dir", nodeDir, "--protected-mode", "no",
				"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			if err := cmd.Start(); err != nil {
				started <- err
				return
			}
			go func() { _ = cmd.Wait() }()
			c.Addrs = append(c.Addrs, addr)
		}
		started <- nil
		select {}
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	ctx := context.Background()
	for _, addr := range c.Addrs {
		if err := waitPing(ctx, addr); err != nil {
			return nil, err
		}
	}
	create := exec.Command(cli, append(append([]string{"--cluster", "create"}, c.Addrs...), "--cluster-replicas", "1", "--cluster-yes")...)
	if out, err := create.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %v: %s", err, out)
	}
	if err := waitClusterReady(ctx, c.Addrs, 30*time.Second); err != nil {
		return nil, err
	}
	c.URL = "redis+cluster://" + c.Addrs[0] + "?addr=" + strings.Join(c.Addrs[1:], "&addr=")
	return c, nil
}

// clusterPort answers a free port whose cluster bus port (port+10000) is
// free too.
func clusterPort() (int, error) {
	for range 100 {
		port, err := anyFreePort()
		if err != nil {
			return 0, err
		}
		if port+10000 > 65535 {
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		_ = l.Close()
		return port, nil
	}
	return 0, errors.New("no free port pair for a cluster node")
}

func waitPing(ctx context.Context, addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not start", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// waitClusterReady waits until every node reports the cluster ok with all
// 16384 slots served and a client can write to every master.
func waitClusterReady(ctx context.Context, addrs []string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		ready := true
		for _, addr := range addrs {
			c := redis.NewClient(&redis.Options{Addr: addr})
			info, err := c.ClusterInfo(ctx).Result()
			_ = c.Close()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_slots_ok:16384") {
				ready = false
				break
			}
		}
		if ready {
			cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
			err := cl.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() })
			if err == nil {
				// one key per master, through the slot map
				for i := 0; i < 3 && err == nil; i++ {
					err = cl.Set(ctx, "testkit:ready:{"+strconv.Itoa(i)+"}", "1", time.Minute).Err()
				}
			}
			_ = cl.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the Redis Cluster on %v did not become ready", addrs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// RedisKinds are the Redis deployments the Redis-backed parts must work
// on: tests table-driven over them run once per kind.
var RedisKinds = []string{"redis", "cluster"}

// RedisClient answers a client of the kind: a private redis-server for
// "redis", the binary's shared cluster for "cluster" (keep keys under a
// prefix of the test's own).
func RedisClient(t testing.TB, kind string) redis.UniversalClient {
	t.Helper()
	switch kind {
	case "redis":
		return StartRedis(t).Client(t)
	case "cluster":
		return SharedRedisCluster(t).Client(t)
	}
	t.Fatalf("unknown Redis kind %q", kind)
	return nil
}
