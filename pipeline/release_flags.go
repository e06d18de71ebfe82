package pipeline

import (
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
