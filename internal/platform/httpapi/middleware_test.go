package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Behind a trusted proxy the client is the rightmost X-Forwarded-For hop
// that is no trusted proxy, also when a proxy writes hops with their port
// (as some load balancers do: "198.51.100.7:51234", "[2001:db8::7]:443")
// or across several headers; a hop that is no address at all stops the
// walk at the proxy's own address, never at a hop left of it (which the
// client may have written). Untrusted peers' headers are ignored.
func TestClientAddrBehindProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"untrusted peer", "203.0.113.5:4000", []string{"198.51.100.7"}, "203.0.113.5"},
		{"one hop", "10.0.0.2:4000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"client-written hop on the left", "10.0.0.2:4000", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"two proxies", "10.0.0.2:4000", []string{"198.51.100.7, 10.0.0.3"}, "198.51.100.7"},
		{"several headers", "10.0.0.2:4000", []string{"1.2.3.4", "198.51.100.7"}, "198.51.100.7"},
		{"IPv4 with port", "10.0.0.2:4000", []string{"198.51.100.7:51234"}, "198.51.100.7"},
		{"IPv6 with port", "10.0.0.2:4000", []string{"[2001:db8::7]:443"}, "2001:db8::7"},
		{"IPv6", "10.0.0.2:4000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"garbage hop", "10.0.0.2:4000", []string{"1.2.3.4, unknown"}, "10.0.0.2"},
	} {
		var got string
		h := httpapi.RequestInfo(trusted)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = reqinfo.From(r.Context()).IP
		}))
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Errorf("%s: client %q, want %q", c.name, got, c.want)
		}
	}
}
