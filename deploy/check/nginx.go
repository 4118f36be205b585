package check

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Directive is one nginx directive: its name, arguments and, for a block,
// the directives inside.
type Directive struct {
	Name  string
	Args  []string
	Block []Directive
	Line  int
}

// ParseNginx reads nginx's configuration syntax (directives ending in ";",
// blocks in braces, "#" comments, quoted arguments). It checks the syntax
// only, not which directives exist.
func ParseNginx(src string) ([]Directive, error) {
	toks, err := nginxTokens(src)
	if err != nil {
		return nil, err
	}
	ds, rest, err := nginxBlock(toks, false)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("line %d: unexpected %q", rest[0].line, rest[0].text)
	}
	return ds, nil
}

type token struct {
	text   string
	line   int
	quoted bool
}

func nginxTokens(src string) ([]token, error) {
	var toks []token
	line := 1
	rs := []rune(src)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '\n':
			line++
			i++
		case unicode.IsSpace(r):
			i++
		case r == '#':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case r == '{' || r == '}' || r == ';':
			toks = append(toks, token{text: string(r), line: line})
			i++
		case r == '"' || r == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != r {
				if rs[j] == '\\' {
					j++
				}
				if j < len(rs) && rs[j] == '\n' {
					line++
				}
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("line %d: unterminated quote", line)
			}
			toks = append(toks, token{text: string(rs[i+1 : j]), line: line, quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune("{};", rs[j]) {
				j++
			}
			toks = append(toks, token{text: string(rs[i:j]), line: line})
			i = j
		}
	}
	return toks, nil
}

func nginxBlock(toks []token, inBlock bool) ([]Directive, []token, error) {
	var ds []Directive
	for len(toks) > 0 {
		t := toks[0]
		if !t.quoted && t.text == "}" {
			if !inBlock {
				return nil, nil, fmt.Errorf("line %d: unmatched }", t.line)
			}
			return ds, toks[1:], nil
		}
		if !t.quoted && (t.text == "{" || t.text == ";") {
			return nil, nil, fmt.Errorf("line %d: %q without a directive", t.line, t.text)
		}
		d := Directive{Name: t.text, Line: t.line}
		toks = toks[1:]
		for {
			if len(toks) == 0 {
				return nil, nil, fmt.Errorf("line %d: %s not ended by ; or a block", d.Line, d.Name)
			}
			t := toks[0]
			toks = toks[1:]
			if !t.quoted && t.text == ";" {
				break
			}
			if !t.quoted && t.text == "{" {
				var err error
				if d.Block, toks, err = nginxBlock(toks, true); err != nil {
					return nil, nil, err
				}
				if d.Block == nil {
					d.Block = []Directive{}
				}
				break
			}
			if !t.quoted && t.text == "}" {
				return nil, nil, fmt.Errorf("line %d: %s not ended by ;", d.Line, d.Name)
			}
			d.Args = append(d.Args, t.text)
		}
		ds = append(ds, d)
	}
	if inBlock {
		return nil, nil, errors.New("a block is not closed: missing }")
	}
	return ds, nil, nil
}

func find(ds []Directive, name string, args ...string) []Directive {
	var out []Directive
	for _, d := range ds {
		if d.Name == name && (len(args) == 0 || slices.Equal(d.Args, args)) {
			out = append(out, d)
		}
	}
	return out
}

// value is the first argument of the innermost of the blocks (outermost
// first) that sets name: nginx's inheritance of proxy_* settings.
func value(name string, blocks ...[]Directive) (string, bool) {
	for i := len(blocks) - 1; i >= 0; i-- {
		if d := find(blocks[i], name); len(d) > 0 && len(d[0].Args) > 0 {
			return strings.Join(d[0].Args, " "), true
		}
	}
	return "", false
}

func nginxDuration(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(v)
}

// Nginx lists what is wrong with deploy/nginx.conf for Pishkhan: an
// upstream of exactly the instances (serve services of the compose file),
// proxied with the forwarding headers Pishkhan trusts from TRUSTED_PROXIES,
// and /api/events unbuffered with a read timeout well above the SSE
// heartbeat.
func Nginx(src string, instances []string) []string {
	ds, err := ParseNginx(src)
	if err != nil {
		return []string{"nginx.conf: " + err.Error()}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	https := find(ds, "http")
	if len(https) != 1 {
		return []string{"nginx.conf: want one http block"}
	}
	http := https[0].Block
	ups := find(http, "upstream", "pishkhan")
	if len(ups) != 1 {
		bad("no upstream pishkhan")
	} else {
		var servers []string
		for _, s := range find(ups[0].Block, "server") {
			host, _, _ := strings.Cut(s.Args[0], ":")
			servers = append(servers, host)
		}
		slices.Sort(servers)
		want := slices.Sorted(slices.Values(instances))
		if !slices.Equal(servers, want) {
			bad("upstream pishkhan has servers %v, want the compose instances %v", servers, want)
		}
	}
	var events *Directive
	var eventsServer []Directive
	for _, srv := range find(http, "server") {
		for _, loc := range find(srv.Block, "location") {
			if p, ok := value("proxy_pass", loc.Block); ok && p == "http://pishkhan" {
				for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "Host"} {
					if !slices.ContainsFunc(append(find(loc.Block, "proxy_set_header"), find(srv.Block, "proxy_set_header")...),
						func(d Directive) bool { return len(d.Args) == 2 && d.Args[0] == h }) {
						bad("location %s: does not set %s", strings.Join(loc.Args, " "), h)
					}
				}
			}
			if loc.Args[len(loc.Args)-1] == "/api/events" {
				events, eventsServer = &loc, srv.Block
			}
		}
	}
	if events == nil {
		bad("no location for /api/events (Server-Sent Events)")
		return problems
	}
	if p, _ := value("proxy_pass", http, eventsServer, events.Block); p != "http://pishkhan" {
		bad("location /api/events: proxy_pass %q, want http://pishkhan", p)
	}
	if b, _ := value("proxy_buffering", http, eventsServer, events.Block); b != "off" {
		bad("location /api/events: proxy_buffering %q, want off (events must reach the browser at once)", b)
	}
	rt, ok := value("proxy_read_timeout", http, eventsServer, events.Block)
	if d, err := nginxDuration(rt); !ok || err != nil || d < 5*time.Minute {
		bad("location /api/events: proxy_read_timeout %q, want at least 5m (a stream stays open; heartbeats every SSE_HEARTBEAT)", rt)
	}
	return problems
}
