package store

import (
	"errors"
	"strings"
	"testing"
)

func TestSearchErrorsDoNotQuoteTerms(t *testing.T) {
	err := scrubTerms(errors.New(`fts5: syntax error near "diabetes"*`), []string{"diabetes"})
	if strings.Contains(err.Error(), "diabetes") || !strings.Contains(err.Error(), "search products") {
		t.Fatalf("%v", err)
	}
}
