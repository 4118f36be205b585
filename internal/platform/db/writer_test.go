package db_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writesThroughReader finds a write on the handle meant for reads: any
// Exec, and a Query or QueryRow whose statement starts by writing.
var writesThroughReader = regexp.MustCompile("Reader\\(\\)\\.(Exec\\(|(Query|QueryRow)\\(\\w+,\\s*`\\s*(?i:INSERT|UPDATE|DELETE|REPLACE|UPSERT)\\b)")

// TestNoWritesThroughReader: writes outside a transaction go through
// Writer(), so that Reader() can move to a read replica.
func TestNoWritesThroughReader(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	for _, dir := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range writesThroughReader.FindAllIndex(src, -1) {
				line := 1 + strings.Count(string(src[:m[0]]), "\n")
				t.Errorf("%s:%d writes through Reader(); use Writer() (or InTx)", path, line)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
