package compliance

import (
	"io"
	"runtime"
	"runtime/debug"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// SBOM writes a CycloneDX (JSON) software bill of materials of the binary:
// the main module and every module compiled in, with versions, go.sum hashes and
// package URLs, read from the build information the Go toolchain embeds.
func SBOM(w io.Writer, bi *debug.BuildInfo, now time.Time) error {
	bom := cdx.NewBOM()
	main := component(&bi.Main, cdx.ComponentTypeApplication)
	main.Description = "Salve, built with " + runtime.Version()
	bom.Metadata = &cdx.Metadata{Timestamp: now.UTC().Format(time.RFC3339), Component: &main,
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "salve compliance sbom"}}}}
	comps := make([]cdx.Component, 0, len(bi.Deps))
	deps := make([]string, 0, len(bi.Deps))
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		c := component(m, cdx.ComponentTypeLibrary)
		comps = append(comps, c)
		deps = append(deps, c.BOMRef)
	}
	bom.Components = &comps
	bom.Dependencies = &[]cdx.Dependency{{Ref: main.BOMRef, Dependencies: &deps}}
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	return enc.Encode(bom)
}

func component(m *debug.Module, typ cdx.ComponentType) cdx.Component {
	v := m.Version
	if v == "" {
		v = "(devel)"
	}
	purl := "pkg:golang/" + m.Path + "@" + v
	c := cdx.Component{Type: typ, Name: m.Path, Version: v, BOMRef: purl, PackageURL: purl}
	if m.Sum != "" {
		// The go.sum hash (h1: base64 of a SHA-256 over the module's
		// files) is no plain file digest, so it goes in a property.
		c.Properties = &[]cdx.Property{{Name: "golang:go.sum", Value: m.Sum}}
	}
	return c
}
