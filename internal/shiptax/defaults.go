package shiptax

// region is one row of the seeded table.
type region struct {
	code, name string
	pcm        int64
}

// regions are every US state, DC and the territories PR, GU, VI, AS and MP
// with a default sales tax rate: the state-level base rate (local taxes
// are not included; the operator edits the rate to what the tenant must
// collect). Territories without a general sales tax (GU, VI, AS, MP levy
// gross receipts taxes on the seller instead) default to 0; PR's IVU is
// 10.5 %. The eight states Salve priced before these were settings keep
// the rates they had, so existing totals do not move.
var regions = []region{
	{"AL", "Alabama", 4000}, {"AK", "Alaska", 0}, {"AZ", "Arizona", 5600}, {"AR", "Arkansas", 6500},
	{"CA", "California", 7250}, {"CO", "Colorado", 2900}, {"CT", "Connecticut", 6350}, {"DE", "Delaware", 0},
	{"DC", "District of Columbia", 6000}, {"FL", "Florida", 6000}, {"GA", "Georgia", 4000}, {"HI", "Hawaii", 4000},
	{"ID", "Idaho", 6000}, {"IL", "Illinois", 6250}, {"IN", "Indiana", 7000}, {"IA", "Iowa", 6000},
	{"KS", "Kansas", 6500}, {"KY", "Kentucky", 6000}, {"LA", "Louisiana", 5000}, {"ME", "Maine", 5500},
	{"MD", "Maryland", 6000}, {"MA", "Massachusetts", 6250}, {"MI", "Michigan", 6000}, {"MN", "Minnesota", 6875},
	{"MS", "Mississippi", 7000}, {"MO", "Missouri", 4225}, {"MT", "Montana", 0}, {"NE", "Nebraska", 5500},
	{"NV", "Nevada", 6850}, {"NH", "New Hampshire", 0}, {"NJ", "New Jersey", 6625}, {"NM", "New Mexico", 4875},
	{"NY", "New York", 4000}, {"NC", "North Carolina", 4750}, {"ND", "North Dakota", 5000}, {"OH", "Ohio", 5750},
	{"OK", "Oklahoma", 4500}, {"OR", "Oregon", 0}, {"PA", "Pennsylvania", 6000}, {"RI", "Rhode Island", 7000},
	{"SC", "South Carolina", 6000}, {"SD", "South Dakota", 4200}, {"TN", "Tennessee", 7000}, {"TX", "Texas", 6250},
	{"UT", "Utah", 4850}, {"VT", "Vermont", 6000}, {"VA", "Virginia", 5300}, {"WA", "Washington", 6500},
	{"WV", "West Virginia", 6000}, {"WI", "Wisconsin", 5000}, {"WY", "Wyoming", 4000},
	{"PR", "Puerto Rico", 10500}, {"GU", "Guam", 0}, {"VI", "U.S. Virgin Islands", 0},
	{"AS", "American Samoa", 0}, {"MP", "Northern Mariana Islands", 0},
}

// RegionName returns the name of a region code, reporting whether it is one.
func RegionName(code string) (string, bool) {
	for _, r := range regions {
		if r.code == code {
			return r.name, true
		}
	}
	return "", false
}

// RegionCodes are every region's code, in the table's order.
func RegionCodes() []string {
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = r.code
	}
	return out
}

// DefaultTax is the seeded tax table: prescription items exempt everywhere
// (as they are in nearly every state; the operator turns it off where they
// are taxed), HSA/FSA-eligible items taxed unless the operator exempts them.
func DefaultTax() []TaxRegion {
	out := make([]TaxRegion, len(regions))
	for i, r := range regions {
		out[i] = TaxRegion{Code: r.code, Name: r.name, RatePCM: r.pcm, ExemptRx: true}
	}
	return out
}

// DefaultShipping is the seeded shipping table: standard (4.99, free from
// 50.00) and express (14.99), both flat, into one zone of every region.
func DefaultShipping() Shipping {
	return Shipping{
		Methods: []Method{{Code: "standard", Label: "Standard (3–5 business days)"}, {Code: "express", Label: "Express (next business day)"}},
		Zones:   []Zone{{Code: "us", Name: "United States", Regions: RegionCodes()}},
		Rates: []Rate{{Method: "standard", Zone: "us", Kind: Flat, Price: 499, FreeOver: 5000},
			{Method: "express", Zone: "us", Kind: Flat, Price: 1499}},
	}
}

// Defaults are the seeded settings.
func Defaults() *Settings {
	return &Settings{Shipping: DefaultShipping(), Tax: DefaultTax()}
}
