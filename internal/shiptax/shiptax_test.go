package shiptax

import "testing"

// TestCost: flat, by started kilogram, free from the threshold on.
func TestCost(t *testing.T) {
	flat := Rate{Kind: Flat, Price: 499, FreeOver: 5000}
	weight := Rate{Kind: Weight, Price: 200, PerKg: 150}
	for _, c := range []struct {
		r               Rate
		sub, grams, out int64
	}{
		{flat, 4999, 0, 499}, {flat, 5000, 0, 0}, {flat, 100, 9000, 499},
		{weight, 100, 0, 200}, {weight, 100, 1, 350}, {weight, 100, 1000, 350}, {weight, 100, 1001, 500},
	} {
		if got := c.r.Cost(c.sub, c.grams); got != c.out {
			t.Errorf("%+v at %d, %d g: %d, want %d", c.r, c.sub, c.grams, got, c.out)
		}
	}
}

// TestPercent: rates read and written in thousandths of a percent.
func TestPercent(t *testing.T) {
	for in, want := range map[string]int64{"7.25": 7250, "6.875 %": 6875, "0": 0, "10.5": 10500, " 4 ": 4000} {
		got, err := ParsePercent(in)
		if err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "1.2345", "-1", "1.-5", "100", ".5"} {
		if _, err := ParsePercent(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	for pcm, want := range map[int64]string{7250: "7.25", 6875: "6.875", 0: "0", 10500: "10.5", 4000: "4"} {
		if got := FormatPercent(pcm); got != want {
			t.Errorf("%d: %q, want %q", pcm, got, want)
		}
	}
}

// TestDefaults: every state, DC and the five territories, once each; the
// default table checks out; tax rounds half up.
func TestDefaults(t *testing.T) {
	d := Defaults()
	if len(d.Tax) != 56 {
		t.Fatalf("%d regions", len(d.Tax))
	}
	for _, c := range []string{"DC", "PR", "GU", "VI", "AS", "MP", "WY"} {
		if _, ok := d.TaxRegion(c); !ok {
			t.Errorf("%s missing", c)
		}
	}
	if err := d.Shipping.Check(); err != nil {
		t.Fatal(err)
	}
	ca, _ := d.TaxRegion("CA")
	if ca.Tax(1250) != 91 || ca.Taxable(true, false) || !ca.Taxable(false, true) {
		t.Errorf("CA: %d", ca.Tax(1250))
	}
	bad := d.Shipping
	bad.Zones = append(bad.Zones, Zone{Code: "west", Name: "West", Regions: []string{"CA"}})
	if bad.Check() == nil {
		t.Error("a region in two zones passed")
	}
}
