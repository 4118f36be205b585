package main

import (
	"context"
	"fmt"
	"net/url"
)

// The public read API's scenarios: what a website's visitors cost, beside
// the panel's cached orders list. Both are anonymous and served from the
// server cache (the bench server raises PUBLIC_RATE_LIMIT out of the way).
const (
	idPublicList = "public-list"
	idPublicPost = "public-post"
)

const publicListPath = "/api/public/v1/posts?lang=fa&limit=20"

// preparePublic warms and returns the public scenarios named in want.
func (c *client) preparePublic(ctx context.Context, want map[string]bool, nSlugs int) ([]scenario, error) {
	var out []scenario
	if want[idPublicList] {
		if err := c.warmAnon(ctx, []string{publicListPath}); err != nil {
			return nil, err
		}
		out = append(out, scenario{id: idPublicList, name: "public posts list (cached)",
			request: "`GET " + publicListPath + "`, anonymous, served from Redis",
			expect:  "hit", distinct: 1, path: rotate([]string{publicListPath})})
	}
	if want[idPublicPost] {
		paths, err := c.publicPostPaths(ctx, nSlugs)
		if err != nil {
			return nil, err
		}
		if err := c.warmAnon(ctx, paths); err != nil {
			return nil, err
		}
		n := group(int64(len(paths)))
		out = append(out, scenario{id: idPublicPost, name: "public post by slug (" + n + " slugs, cached)",
			request: "`GET /api/public/v1/posts/{slug}?lang=fa` cycling through " + n + " live posts, each warmed first",
			expect:  "hit", distinct: len(paths), path: rotate(paths)})
	}
	return out, nil
}

// publicPostPaths walks the public list for up to n live Persian posts.
func (c *client) publicPostPaths(ctx context.Context, n int) ([]string, error) {
	var paths []string
	next := publicListPath
	for len(paths) < n && next != "" {
		var page struct {
			Items      []struct{ Slug string }
			NextCursor *string `json:"next_cursor"`
		}
		if err := c.getJSONAnon(ctx, next, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			paths = append(paths, "/api/public/v1/posts/"+url.PathEscape(it.Slug)+"?lang=fa")
		}
		next = ""
		if page.NextCursor != nil {
			next = publicListPath + "&cursor=" + url.QueryEscape(*page.NextCursor)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no live Persian posts: seed with --posts first")
	}
	if len(paths) > n {
		paths = paths[:n]
	}
	return paths, nil
}
