package records

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// The files in the zip.
const (
	ArchiveFile = "record.json"
	BundleFile  = "fhir-bundle.json"
)

// builder gathers the sections of one copy.
type builder struct {
	r       Record
	at      time.Time
	arch    archive
	entries []fhir.BundleEntry
}

func newBuilder(r Record, now time.Time) *builder {
	return &builder{r: r, at: now, arch: archive{Format: ArchiveFormat, TenantID: r.TenantID, PatientID: r.PatientID,
		GeneratedAt: now.UTC(), Counts: map[string]int{}, Sections: map[string]json.RawMessage{}}}
}

// add puts an exporter's section into both files.
func (b *builder) add(e Exporter, sec Section) error {
	raw, err := json.Marshal(sec.Records)
	if err != nil {
		return fmt.Errorf("section %s: %w", e.Name, err)
	}
	b.arch.Sections[e.Name] = raw
	b.arch.Counts[e.Name] = sec.Count
	if !slices.Contains(b.arch.Classes, e.Class) {
		b.arch.Classes = append(b.arch.Classes, e.Class)
	}
	for _, res := range sec.Resources {
		rb, err := json.Marshal(res.Resource)
		if err != nil {
			return fmt.Errorf("section %s: %w", e.Name, err)
		}
		b.entries = append(b.entries, fhir.BundleEntry{FullUrl: new(FullURL(res.ID)), Resource: rb})
	}
	return nil
}

// FullURL is a resource's fullUrl in the bundle: its id as a URN, so that
// references between resources of the copy resolve inside it.
func FullURL(id string) string { return "urn:uuid:" + id }

// Ref is a reference to a resource of the copy.
func Ref(id string) *fhir.Reference { return &fhir.Reference{Reference: new(FullURL(id))} }

// bundle returns fhir-bundle.json.
func (b *builder) bundle() ([]byte, error) {
	bun := fhir.Bundle{Id: new(b.r.ID), Type: fhir.BundleTypeCollection, Timestamp: new(b.at.UTC().Format(time.RFC3339)),
		Entry: b.entries}
	return json.MarshalIndent(bun, "", " ")
}

// zip returns the copy: record.json and fhir-bundle.json.
func (b *builder) zip() ([]byte, error) {
	arch, err := json.MarshalIndent(b.arch, "", " ")
	if err != nil {
		return nil, err
	}
	bun, err := b.bundle()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{ArchiveFile, arch}, {BundleFile, bun}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: b.at.UTC()})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Files reads the two files of a copy's zip (for tests and tools).
func Files(zipped []byte) (archiveJSON, bundleJSON []byte, err error) {
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return nil, nil, err
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, nil, err
		}
		var buf bytes.Buffer
		// The zip is our own, built by this package; bounded by what was sealed.
		_, err = buf.ReadFrom(rc) //nolint:gosec // our own archive, not user input
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, nil, err
		}
		switch f.Name {
		case ArchiveFile:
			archiveJSON = buf.Bytes()
		case BundleFile:
			bundleJSON = buf.Bytes()
		}
	}
	if archiveJSON == nil || bundleJSON == nil {
		return nil, nil, fmt.Errorf("records: the copy lacks %s or %s", ArchiveFile, BundleFile)
	}
	return archiveJSON, bundleJSON, nil
}
