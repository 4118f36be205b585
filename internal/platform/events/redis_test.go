package events_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// An event published by one instance reaches every instance subscribed,
// on a single Redis and on a cluster (whose nodes pass PUBLISH on).
func TestRedisBusReachesEveryInstance(t *testing.T) {
	for _, kind := range testkit.RedisKinds {
		t.Run(kind, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			resource := "bus-test-" + kind
			client := testkit.RedisClient(t, kind)
			if cl, ok := client.(*redis.ClusterClient); ok {
				// publish on a channel served by another master than the
				// subscriptions' node: the cluster must pass it on
				sub, err := cl.MasterForKey(ctx, "channel:*")
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; ; i++ {
					resource = "bus-test-" + kind + strconv.Itoa(i)
					pub, err := cl.MasterForKey(ctx, events.Channel(resource))
					if err != nil {
						t.Fatal(err)
					}
					if pub.Options().Addr != sub.Options().Addr {
						break
					}
				}
			}
			var got []chan events.Event
			for range 3 { // three instances, each its own subscription
				ch := make(chan events.Event, 10)
				bus := events.NewRedis(client)
				if err := bus.Subscribe(ctx, func(e events.Event) {
					if e.Resource == resource {
						ch <- e
					}
				}); err != nil {
					t.Fatal(err)
				}
				got = append(got, ch)
			}
			publisher := events.NewRedis(client)
			// a subscription is live once its first event arrives: publish
			// until each instance has seen one
			deadline := time.Now().Add(10 * time.Second)
			for i, ch := range got {
				for {
					if err := publisher.Publish(ctx, events.Event{Event: "updated", Resource: resource, ID: 7}); err != nil {
						t.Fatal(err)
					}
					select {
					case e := <-ch:
						if e.ID != 7 || e.Event != "updated" {
							t.Fatalf("instance %d got %+v", i, e)
						}
					case <-time.After(100 * time.Millisecond):
						if time.Now().After(deadline) {
							t.Fatalf("instance %d never got the event", i)
						}
						continue
					}
					break
				}
			}
		})
	}
}
