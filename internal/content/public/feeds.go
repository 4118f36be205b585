package public

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
)

// FeedSize is how many of the newest live posts a feed holds.
const FeedSize = 20

// MaxSitemapURLs is the sitemap protocol's limit of URLs in one file.
const MaxSitemapURLs = 50000

// Bases are the absolute bases of links: the website (posts and projects,
// root-relative links in bodies) and this API (feeds themselves, media).
type Bases struct {
	Site, API string
}

func (b Bases) key() string { return "site=" + b.Site + "|api=" + b.API }

// link fills a path template ({lang}, {slug}) under the website's base.
func (b Bases) link(template, lang, slug string) string {
	return b.Site + strings.NewReplacer("{lang}", url.PathEscape(lang), "{slug}", url.PathEscape(slug)).Replace(template)
}

// absolute makes a body's root-relative links absolute, for feed readers
// that show it away from the website: media references go to this API,
// every other root-relative link to the website.
func (b Bases) absolute(html string) string {
	media := "/api/public/v1/media/"
	var out strings.Builder
	for _, attr := range []string{`src="`, `href="`} {
		out.Reset()
		rest := html
		for {
			i := strings.Index(rest, attr+"/")
			if i < 0 {
				out.WriteString(rest)
				break
			}
			out.WriteString(rest[:i+len(attr)])
			rest = rest[i+len(attr):]
			if strings.HasPrefix(rest, "//") { // protocol-relative: leave it
				continue
			}
			if strings.HasPrefix(rest, media) {
				out.WriteString(b.API)
			} else {
				out.WriteString(b.Site)
			}
		}
		html = out.String()
	}
	return html
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Title      atomText       `xml:"title"`
	ID         string         `xml:"id"`
	Link       atomLink       `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Authors     []string `xml:"dc:creator"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	Self          atomLink  `xml:"atom:link"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Items         []rssItem `xml:"item"`
}

type rssFeed struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

func siteName(site string) string {
	if u, err := url.Parse(site); err == nil && u.Host != "" {
		return u.Host
	}
	return site
}

func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Feed answers feed.atom ("atom") and feed.rss ("rss") of lang: the
// newest FeedSize live posts with absolute links and their bodies as
// escaped HTML.
func (s *Service) Feed(ctx context.Context, format, lang string, b Bases) ([]byte, cache.Status, error) {
	return s.fetch(ctx, "feed|f="+format+"|l="+lang+"|"+b.key(), func(ctx context.Context) ([]byte, error) {
		posts, err := s.store.feed(ctx, lang, FeedSize)
		if err != nil {
			return nil, err
		}
		self := b.API + "/api/public/v1/feed." + format + "?lang=" + lang
		home := b.Site + "/"
		title := siteName(b.Site) + " (" + lang + ")"
		updated := time.Unix(0, 0).UTC()
		for _, p := range posts {
			if p.UpdatedAt.After(updated) {
				updated = p.UpdatedAt
			}
		}
		if format == "rss" {
			f := rssFeed{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", DC: "http://purl.org/dc/elements/1.1/",
				Channel: rssChannel{Title: title, Link: home, Description: title, Language: lang,
					Self: atomLink{Rel: "self", Type: "application/rss+xml", Href: self}, LastBuildDate: updated.Format(time.RFC1123Z), Items: []rssItem{}}}
			for _, p := range posts {
				link := b.link(s.cfg.PostPath, p.Lang, p.Slug)
				it := rssItem{Title: p.Title, Link: link, GUID: rssGUID{IsPermaLink: "true", Value: link},
					PubDate: p.PublishedAt.UTC().Format(time.RFC1123Z), Description: b.absolute(p.BodyHTML)}
				for _, a := range p.Authors {
					it.Authors = append(it.Authors, a.Name)
				}
				for _, t := range append(append([]Term{}, p.Categories...), p.Tags...) {
					it.Categories = append(it.Categories, t.Name)
				}
				f.Channel.Items = append(f.Channel.Items, it)
			}
			return marshalXML(f)
		}
		f := atomFeed{Lang: lang, Title: title, ID: self, Updated: updated.Format(time.RFC3339),
			Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: home}},
			Author: atomPerson{Name: siteName(b.Site)}, Entries: []atomEntry{}}
		for _, p := range posts {
			link := b.link(s.cfg.PostPath, p.Lang, p.Slug)
			e := atomEntry{Title: atomText{Type: "text", Body: p.Title}, ID: link, Link: atomLink{Rel: "alternate", Type: "text/html", Href: link},
				Published: p.PublishedAt.UTC().Format(time.RFC3339), Updated: p.UpdatedAt.UTC().Format(time.RFC3339),
				Content: atomText{Type: "html", Body: b.absolute(p.BodyHTML)}}
			if p.Excerpt != "" {
				e.Summary = &atomText{Type: "text", Body: p.Excerpt}
			}
			for _, a := range p.Authors {
				e.Authors = append(e.Authors, atomPerson{Name: a.Name})
			}
			for _, t := range append(append([]Term{}, p.Categories...), p.Tags...) {
				e.Categories = append(e.Categories, atomCategory{Term: t.Slug, Label: t.Name})
			}
			f.Entries = append(f.Entries, e)
		}
		return marshalXML(f)
	})
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

type sitemapSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapRef struct {
	Loc string `xml:"loc"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapRef `xml:"sitemap"`
}

// Sitemap answers /sitemap.xml (page 0) and its pages (?page=N): every
// live post and published project on the website, with the time it last
// changed. While there are at most cfg.SitemapPageSize URLs, page 0 is
// the one urlset; beyond that, page 0 is a sitemap index naming pages
// 1..N of this API, each a urlset of at most SitemapPageSize URLs (posts,
// then projects, oldest first, so a URL keeps its page as others are
// added). A page that does not exist is NOT_FOUND.
func (s *Service) Sitemap(ctx context.Context, page int, b Bases) ([]byte, cache.Status, error) {
	return s.fetch(ctx, "sitemap|"+strconv.Itoa(page)+"|"+b.key(), func(ctx context.Context) ([]byte, error) {
		size := s.cfg.SitemapPageSize
		if size <= 0 || size > MaxSitemapURLs {
			size = MaxSitemapURLs
		}
		posts, projects, err := s.store.sitemapCounts(ctx)
		if err != nil {
			return nil, err
		}
		pages := (posts + projects + size - 1) / size
		if page == 0 && pages > 1 {
			idx := sitemapIndex{}
			for n := 1; n <= pages; n++ {
				idx.Sitemaps = append(idx.Sitemaps, sitemapRef{Loc: b.API + "/sitemap.xml?page=" + strconv.Itoa(n)})
			}
			return marshalXML(idx)
		}
		if page > max(pages, 1) {
			return nil, apperr.New(apperr.NotFound, "the sitemap has %d page(s)", max(pages, 1))
		}
		entries, err := s.store.sitemap(ctx, max(page-1, 0)*size, size, posts)
		if err != nil {
			return nil, err
		}
		set := sitemapSet{URLs: []sitemapURL{}}
		for _, e := range entries {
			tpl := s.cfg.PostPath
			if e.Kind == "project" {
				tpl = s.cfg.ProjectPath
			}
			set.URLs = append(set.URLs, sitemapURL{Loc: b.link(tpl, e.Lang, e.Slug), LastMod: e.LastMod.UTC().Format(time.RFC3339)})
		}
		return marshalXML(set)
	})
}
