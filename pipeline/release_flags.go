package pipeline

import (
	"fmt"
	"strings"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/taxonomy"
)

// ReleaseFlags are the settings of a release as the commands take them
// (swd publish and swd-beam publish share them): the DP parameters, the
// roles of the partners and the policy for unknown need codes.
type ReleaseFlags struct {
	Epsilon, Delta float64
	MaxNeeds       int
	Split          string // query=share,… (dp's query:share also accepted)
	Mechanism      string
	Confidence     float64
	RoundTo        int
	GroupPrivacy   int
	PublicServices string // comma-separated partners; may be empty with District
	UnknownCodes   string
	District       string // the district file's path, which gives the roles when PublicServices is empty
}

// DefaultReleaseFlags are the flags' defaults, for callers that fill a
// ReleaseFlags without binding it.
func DefaultReleaseFlags() ReleaseFlags {
	return ReleaseFlags{MaxNeeds: dp.DefaultMaxNeeds, Mechanism: dp.DefaultMechanism, Confidence: dp.DefaultConfidence,
		GroupPrivacy: 1, UnknownCodes: "fail"}
}

// Bind binds the flags to fs with their defaults (swd publish and
// swd-beam publish share them; fs is a *flag.FlagSet or a
// *pflag.FlagSet).
func (f *ReleaseFlags) Bind(fs FlagBinder) {
	d := DefaultReleaseFlags()
	fs.Float64Var(&f.Epsilon, "epsilon", 0, "ε this release spends, split across its tables (required)")
	fs.Float64Var(&f.Delta, "delta", 0, "δ this release may spend (needed by --mechanism gaussian)")
	fs.IntVar(&f.MaxNeeds, "max-needs", d.MaxNeeds, "need categories one household counts in at most")
	fs.StringVar(&f.Split, "split", "", "share of ε per table, e.g. district_need=0.4,district=0.15,partners=0.15,missing_middle=0.15,totals=0.15 (default: that; tables not named are not released; needs_sum is optional)")
	fs.StringVar(&f.Mechanism, "mechanism", d.Mechanism, "noise: laplace or gaussian")
	fs.Float64Var(&f.Confidence, "confidence", d.Confidence, "level of the confidence intervals")
	fs.IntVar(&f.RoundTo, "round-to", 0, "round released values to a multiple of this (post-processing)")
	fs.StringVar(&f.District, "district", "", "the district file (swd district init): each partner's role, code map and public key, and the territory; a partner it does not name is refused")
	fs.StringVar(&f.PublicServices, "public-services", "", "partners that are public services, the others being the third sector (overrides the district file's roles; without --district, required)")
	fs.StringVar(&f.UnknownCodes, "unknown-codes", d.UnknownCodes, "need codes no code map knows: fail, or count them as unclassified")
	fs.IntVar(&f.GroupPrivacy, "group-privacy", d.GroupPrivacy, fmt.Sprintf("protect a true household the linkage split into up to K linked households at this release's ε: the ledger is charged K·ε (1…%d)", dp.MaxGroupPrivacy))
}

// Release is what Parse makes of ReleaseFlags.
type Release struct {
	Params  dp.Params
	Public  taxonomy.PublicServices // empty: the district file decides
	Unknown taxonomy.UnknownPolicy
}

// Parse checks the flags and returns the release they describe; every
// error is a usage error naming the flag. Publish never guesses the
// partners' roles: without a district file the public services must be
// listed.
func (f ReleaseFlags) Parse() (Release, error) {
	var (
		r   Release
		err error
	)
	if f.GroupPrivacy < 1 || f.GroupPrivacy > dp.MaxGroupPrivacy {
		return r, base.Usagef("--group-privacy must be in 1…%d", dp.MaxGroupPrivacy)
	}
	if r.Unknown, err = taxonomy.ParseUnknownPolicy(f.UnknownCodes); err != nil {
		return r, base.Usagef("--unknown-codes: %v", err)
	}
	r.Public = taxonomy.ParsePublicServices(f.PublicServices)
	if f.PublicServices != "" && len(r.Public.Partners) == 0 {
		return r, base.Usagef("--public-services names no partner")
	}
	if f.District == "" && len(r.Public.Partners) == 0 {
		return r, base.Usagef("publish needs each partner's role, for the \"missing middle\" (households known to the third sector and to no public service): " +
			"give the district file (--district FILE; swd district init writes an example) or list the public services (--public-services LIST)")
	}
	r.Params = dp.Params{Epsilon: f.Epsilon, Delta: f.Delta, MaxNeeds: f.MaxNeeds, Mechanism: f.Mechanism,
		Confidence: f.Confidence, RoundTo: f.RoundTo, GroupPrivacy: f.GroupPrivacy}
	if f.Split != "" {
		// Accept query=share as well as dp's query:share.
		if r.Params.Split, err = dp.ParseSplit(strings.ReplaceAll(f.Split, "=", ":")); err != nil {
			return r, base.Usagef("--split: %v", err)
		}
	}
	if err := r.Params.EnsureDefaults().Validate(); err != nil {
		return r, base.Usagef("%v", err)
	}
	return r, nil
}
