package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// fill sets every field of v, recursively, from the values in turn: a
// field the hand-written encoder leaves out shows in the comparison.
func fill(v reflect.Value, strs []string, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[*n%len(strs)])
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n*7919 - 50000))
	case reflect.Bool:
		v.SetBool(*n%2 == 0)
	case reflect.Pointer:
		if *n%5 != 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), strs, n)
		}
	case reflect.Slice:
		if *n%7 == 0 {
			return // nil
		}
		l := *n % 4
		v.Set(reflect.MakeSlice(v.Type(), l, l))
		for i := range l {
			fill(v.Index(i), strs, n)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), strs, n)
		}
	default:
		panic("fill: no case for " + v.Kind().String())
	}
}

func TestProductListJSONIsMarshal(t *testing.T) {
	strs := []string{"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>", "tab\t nl\n cr\r bs\b ff\f nul\x00 us\x1f del\x7f",
		"café ☃ 𝄞", "bad \xff\xfe utf-8 \xe2\x82", "line\u2028para\u2029", "\ufffd"}
	n := 0
	for round := range 200 {
		var l ProductList
		fill(reflect.ValueOf(&l).Elem(), strs, &n)
		if round%3 == 0 {
			l.Corrected = ""
		}
		want, err := json.Marshal(&l)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("round %d:\n got: %s\nwant: %s", round, got, want)
		}
	}
}
