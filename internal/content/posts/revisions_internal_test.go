package posts

import (
	"slices"
	"testing"
)

// TestDiffSnapshotsTreatsTagsAsSets: a revision whose tags or categories
// only changed order (the first snapshot keeps them as typed, later ones
// by name) does not list them as changed; a different set does.
func TestDiffSnapshotsTreatsTagsAsSets(t *testing.T) {
	a := Snapshot{Title: "t", Tags: []string{"b", "a"}, Categories: []string{"y", "x"}}
	b := Snapshot{Title: "t", Tags: []string{"a", "b"}, Categories: []string{"x", "y"}}
	if d := diffSnapshots(1, 2, a, b); len(d.Changed) != 0 {
		t.Fatalf("only the order changed, yet changed = %v", d.Changed)
	}
	b.Tags = []string{"a", "c"}
	if d := diffSnapshots(1, 2, a, b); !slices.Equal(d.Changed, []string{"tags"}) {
		t.Fatalf("another tag: changed = %v, want [tags]", d.Changed)
	}
}
