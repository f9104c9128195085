package vault

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// exportedAPI is every exported name of the package. Why a list: data keys
// must not be reachable except through a Handle that was audited (DESIGN
// §2.1); a new exported function, method or type changes this list, and the
// review of that change is where a second door would be caught.
var exportedAPI = []string{
	"DefaultRotateBatch", "ErrNoKey", "ErrNotInHandle", "ErrOpen", "ErrShredded",
	"Handle", "Handle.OpenBytes", "Handle.OpenString", "Handle.SealBytes", "Handle.SealString",
	"KEKProvider", "KEKVersion", "KeyCounts", "KeyFileEnv", "KeyFileName", "Open", "OpenKeyFile", "Options",
	"Request", "Rewrapped", "RotateOptions", "RotateResult", "Shred", "Status",
	"Vault", "Vault.Access", "Vault.BlindIndex", "Vault.ReapplyShreds", "Vault.Retire", "Vault.Rotate",
	"Vault.Shred", "Vault.Shreds", "Vault.Status", "VersionStatus",
	// The storage contract: it carries data keys only wrapped by the KEK.
	"Store", "SubjectKey", "WrappedKey",
	// The shred ledger outside the stores: subject and tenant ids, no key.
	"Ledger", "LedgerFile", "LedgerFile.Record", "LedgerFileName", "LedgerPath", "NewLedgerFile", "ReadLedgerFile",
	// A sister brand's read of a shared record (issue 20): a check the
	// vault asks, which sees actors and ids, never a key.
	"SharedCheck", "Vault.AllowShared",
}

func TestNoOtherDoorToDataKeys(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var got []string
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				name := d.Name.Name
				if d.Recv != nil {
					rt := d.Recv.List[0].Type
					if s, ok := rt.(*ast.StarExpr); ok {
						rt = s.X
					}
					id, _ := rt.(*ast.Ident)
					if id == nil || !id.IsExported() {
						continue // methods of unexported types (the Tink adapter) are unreachable
					}
					name = id.Name + "." + name
				}
				got = append(got, name)
				// No exported function hands out Tink material.
				if d.Type.Results != nil {
					for _, r := range d.Type.Results.List {
						if s := types(r.Type); strings.Contains(s, "tink") || strings.Contains(s, "keyset") || strings.Contains(s, "subjectKey") {
							t.Errorf("%s returns %s", name, s)
						}
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							got = append(got, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								got = append(got, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(got)
	want := slices.Clone(exportedAPI)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the vault's exported API changed:\n got %v\nwant %v\nReview that no new name exposes a data key, then update exportedAPI.", got, want)
	}
	// Handle's fields stay unexported.
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || (ts.Name.Name != "Handle" && ts.Name.Name != "Vault") {
				return true
			}
			for _, fl := range ts.Type.(*ast.StructType).Fields.List {
				for _, n := range fl.Names {
					if n.IsExported() {
						t.Errorf("%s.%s is exported", ts.Name.Name, n.Name)
					}
				}
			}
			return false
		})
	}
}

// types renders a type expression roughly, enough to spot package names.
func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return "*" + types(e.X)
	case *ast.SelectorExpr:
		return types(e.X) + "." + e.Sel.Name
	case *ast.ArrayType:
		return "[]" + types(e.Elt)
	case *ast.MapType:
		return "map[" + types(e.Key) + "]" + types(e.Value)
	default:
		return ""
	}
}
