package projects

import (
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

func ptr[T any](v T) *T { return &v }

func TestInputValidate(t *testing.T) {
	fa := content.Fa
	ok := Input{Title: ptr("طراحی وب\u200cسایت"), Lang: &fa, StartedOn: ptr("2026-01-31"), EndedOn: ptr(""),
		Links: &[]Link{{Label: "site", URL: "https://example.com/a?b=c"}}, Tags: &[]string{"Go", "وب"}}
	if err := ok.Validate(true); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	for name, tc := range map[string]struct {
		in     Input
		create bool
		field  string
	}{
		"title missing":     {Input{Lang: &fa}, true, "title"},
		"lang missing":      {Input{Title: ptr("x")}, true, "lang"},
		"blank title patch": {Input{Title: ptr("  ")}, false, "title"},
		"bad lang":          {Input{Lang: ptr(content.Lang("de"))}, false, "lang"},
		"no slug letters":   {Input{Title: ptr("!!!"), Lang: &fa}, true, "slug"},
		"bad date":          {Input{StartedOn: ptr("2026-2-3")}, false, "started_on"},
		"impossible date":   {Input{EndedOn: ptr("2026-02-30")}, false, "ended_on"},
		"javascript link":   {Input{Links: &[]Link{{Label: "x", URL: "javascript:alert(1)"}}}, false, "links[0].url"},
		"relative link":     {Input{Links: &[]Link{{Label: "x", URL: "/about"}}}, false, "links[0].url"},
		"link label":        {Input{Links: &[]Link{{URL: "https://example.com"}}}, false, "links[0].label"},
		"gallery twice":     {Input{Gallery: &[]GalleryItem{{MediaID: 3}, {MediaID: 3}}}, false, "gallery[1].media_id"},
		"negative cover":    {Input{CoverMediaID: ptr(int64(-1))}, false, "cover_media_id"},
		"control chars":     {Input{Client: ptr("a\x00b")}, false, "client"},
		"tag of dashes":     {Input{Tags: &[]string{"---"}}, false, "tags[0]"},
		"long title":        {Input{Title: ptr(strings.Repeat("ب", MaxTitle+1))}, false, "title"},
	} {
		err := tc.in.Validate(tc.create)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if fe := fieldsOf(err); fe[tc.field] == "" {
			t.Errorf("%s: no message for %s in %v", name, tc.field, fe)
		}
	}
	if got := normalTags([]string{" Go ", "go", "GO!", "وب", ""}); len(got) != 2 || got[0] != "Go" || got[1] != "وب" {
		t.Fatalf("normalTags %q", got)
	}
}

func TestOrderInputValidate(t *testing.T) {
	for _, ids := range [][]int64{nil, {}, {1, 0}, {1, 2, 1}} {
		if (OrderInput{IDs: ids}).Validate() == nil {
			t.Errorf("%v accepted", ids)
		}
	}
	if err := (OrderInput{IDs: []int64{3, 1, 2}}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func fieldsOf(err error) map[string]string {
	if e, ok := apperr.As(err); ok && e.Code == apperr.ValidationFailed {
		return e.Fields
	}
	return nil
}
