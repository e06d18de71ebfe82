package schema

import "github.com/welfare-district/swd/linkage/normalize"

// DefaultMissingValues are the cell contents read as "no value" unless the
// schema lists its own.
var DefaultMissingValues = []string{"", "NA", "N/A", "NULL", "NONE", "-", "ND", "N.D."}

// defaultSchema is the starting point that YAML overrides.
func defaultSchema() Schema {
	return Schema{
		Version: Version,
		Input: Input{
			TrimSpace:     true,
			MissingValues: append([]string(nil), DefaultMissingValues...),
		},
		CLK: CLK{Bits: DefaultCLKBits},
	}
}

// DefaultField returns a field of kind k with that kind's defaults, the
// values a field takes for every option its YAML leaves out.
func DefaultField(k Kind) Field {
	f := Field{Kind: k}
	switch k {
	case KindName:
		f.Normalize = Normalize{Particles: true, Transliterate: true}
		f.Tokens = Tokens{Q: 2, Padding: true}
		f.Bits, f.K, f.CLKK = 512, 20, 15
	case KindDate:
		f.Formats = append([]string(nil), normalize.DefaultDateLayouts...)
		f.Normalize = Normalize{Precision: "day"}
		f.Tokens = Tokens{Parts: true, Swap: true, Exact: true}
		f.Bits, f.K, f.CLKK = 256, 20, 15
	case KindSex:
		f.Tokens = Tokens{Exact: true}
		f.Bits, f.K, f.CLKK = 64, 8, 5
	case KindFiscalCode:
		f.Tokens = Tokens{Exact: true}
		f.Bits, f.K, f.CLKK = 256, 20, 0
	case KindAddress:
		f.Normalize = Normalize{Abbreviations: true}
		f.Tokens = Tokens{Q: 2, Padding: true}
		f.Bits, f.K, f.CLKK = 512, 15, 5
	case KindPostcode:
		f.Tokens = Tokens{Q: 2, Exact: true}
		f.Bits, f.K, f.CLKK = 128, 10, 5
	case KindPhone:
		f.Tokens = Tokens{Q: 2, Exact: true}
		f.Bits, f.K, f.CLKK = 256, 10, 0
	case KindText:
		f.Tokens = Tokens{Q: 2, Padding: true}
		f.Bits, f.K, f.CLKK = 512, 15, 0
	case KindExact:
		f.Tokens = Tokens{Exact: true}
		f.Bits, f.K, f.CLKK = 128, 20, 0
	}
	return f
}

// DefaultBlockKeyBytes is the truncated MAC length of a blocking key.
const DefaultBlockKeyBytes = 10
