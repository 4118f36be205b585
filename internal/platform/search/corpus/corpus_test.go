package corpus

import (
	"strings"
	"testing"
)

// The corpus is the same every time (benchmarks compare runs) and looks
// like what it says: mixed languages, both kinds, Persian variants.
func TestCorpusIsReproducibleAndMixed(t *testing.T) {
	a, b := Docs(300, 1), Docs(300, 1)
	langs, kinds := map[string]int{}, map[string]int{}
	arabic := 0
	for i := range a {
		if a[i].Title != b[i].Title || a[i].Body != b[i].Body {
			t.Fatalf("doc %d differs between two runs", i)
		}
		langs[a[i].Lang]++
		kinds[a[i].Kind]++
		if strings.ContainsAny(a[i].Body, "يك") {
			arabic++
		}
	}
	if langs["fa"] < 150 || langs["en"] < 50 || kinds["project"] < 20 || arabic == 0 {
		t.Fatalf("langs %v kinds %v arabic %d", langs, kinds, arabic)
	}
	q := Queries(len(QueryKinds)*3, 2)
	for i, x := range q {
		if x.Kind != QueryKinds[i%len(QueryKinds)] || strings.TrimSpace(x.Text) == "" || x.Limit != 20 {
			t.Fatalf("query %d: %+v", i, x)
		}
	}
}
