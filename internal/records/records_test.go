package records

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
)

// TestRegisterReplacesByName: a domain registering its exporter again
// replaces it, in place of adding a second section of the same name.
func TestRegisterReplacesByName(t *testing.T) {
	s := New(Deps{})
	none := func(context.Context, string, string) (Section, error) { return Section{}, nil }
	s.Register(Exporter{Name: "orders", Class: access.DataOrders, Export: none})
	s.Register(Exporter{Name: "messages", Class: access.DataMessages, Export: none})
	s.Register(Exporter{Name: "orders", Label: "Orders v2", Class: access.DataOrders, Export: none})
	var names []string
	for _, e := range s.Exporters() {
		names = append(names, e.Name+":"+e.Label)
	}
	if !slices.Equal(names, []string{"messages:", "orders:Orders v2"}) {
		t.Fatalf("exporters: %v", names)
	}
}

// TestClassesRoundTrip: the stored classes read back as they were.
func TestClassesRoundTrip(t *testing.T) {
	cs := []access.DataClass{access.DataContact, access.DataRx, access.DataClinical}
	if got := ParseClasses(ClassesText(cs)); !slices.Equal(got, cs) {
		t.Fatalf("%v", got)
	}
	if got := ParseClasses(""); got != nil {
		t.Fatalf("empty: %v", got)
	}
}

// TestZipHoldsBothFiles: the copy's zip reads back into its two files, and
// every resource is an entry of the bundle with its urn:uuid fullUrl.
func TestZipHoldsBothFiles(t *testing.T) {
	b := newBuilder(Record{ID: "7b0e5e84-0000-7000-8000-000000000001", TenantID: "t", PatientID: "p"}, time.Unix(0, 0))
	if err := b.add(Exporter{Name: "orders", Class: access.DataOrders}, Section{Count: 1, Records: []string{"o1"},
		Resources: []Resource{{ID: "o1", Resource: map[string]string{"resourceType": "Basic", "id": "o1"}}}}); err != nil {
		t.Fatal(err)
	}
	z, err := b.zip()
	if err != nil {
		t.Fatal(err)
	}
	arch, bun, err := Files(z)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(bun), `"fullUrl": "urn:uuid:o1"`) || !strings.Contains(string(bun), `"type": "collection"`) ||
		!strings.Contains(string(arch), `"orders": 1`) {
		t.Fatalf("archive:\n%s\nbundle:\n%s", arch, bun)
	}
	if _, _, err := Files([]byte("not a zip")); err == nil {
		t.Fatal("a broken zip was read")
	}
}
