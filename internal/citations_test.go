package internal

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Comments cite the products' API facts as "design/api.md §x.y". Every
// cited section must be a heading of that document, and no comment may cite
// a document outside the repository, so that a reader can follow each one.
func TestCitationsPointAtDesignAPI(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "design", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ ([0-9]+(?:\.[0-9]+)*)\.? `).FindAllStringSubmatch(string(doc), -1) {
		sections[m[1]] = true
	}
	if len(sections) < 50 {
		t.Fatalf("design/api.md has %d numbered sections; the headings were not found", len(sections))
	}
	citation := regexp.MustCompile(`design/api\.md §([0-9]+(?:\.[0-9]+)*)`)
	outside := regexp.MustCompile(`shared/reference|applinks-api\.md|reference §`)
	cited := 0
	err = filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(text), "\n") {
			if outside.MatchString(line) && !strings.Contains(path, "citations_test.go") {
				t.Errorf("%s:%d cites a document outside the repository: %s", path, i+1, strings.TrimSpace(line))
			}
			for _, m := range citation.FindAllStringSubmatch(line, -1) {
				cited++
				if !sections[strings.TrimSuffix(m[1], ".")] {
					t.Errorf("%s:%d cites design/api.md §%s, which has no such section", path, i+1, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited < 40 {
		t.Errorf("found %d citations of design/api.md; the search missed the code", cited)
	}
}
