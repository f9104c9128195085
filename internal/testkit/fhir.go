package testkit

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fhirSchema is the official FHIR R4 JSON schema, compiled once per test
// binary (it is 3 MB).
var fhirSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	_, here, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(here), "..", "records", "testdata", "fhir.schema.json")
	f, err := os.Open(path) //nolint:gosec // the repository's own test data
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("fhir.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("fhir.schema.json")
})

// CheckFHIR checks a FHIR R4 JSON resource (a Bundle with everything in
// it) against the official R4 JSON schema (internal/records/testdata, see
// its README), with github.com/santhosh-tekuri/jsonschema/v6, and returns
// the validator's report.
func CheckFHIR(data []byte) error {
	sch, err := fhirSchema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// ValidateFHIR fails the test unless CheckFHIR accepts data.
func ValidateFHIR(t testing.TB, data []byte) {
	t.Helper()
	if err := CheckFHIR(data); err != nil {
		t.Fatalf("not valid FHIR R4: %v", err)
	}
}
