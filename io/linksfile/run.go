package linksfile

import (
	"encoding/json"
	"fmt"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/model"
)

// RunVersion is the version of the run description Write stores. Read
// also takes the untagged description of swd before version 1 (version 0)
// and refuses a later version than this one.
const RunVersion = 1

// Run describes the linkage run that wrote a links file; it is stored as
// JSON under RunKey (docs/format.md). It holds parameters, estimates and
// counts: never a file path, a key or a record's value.
type Run struct {
	// FormatVersion is RunVersion for files written by this package, 0 for
	// a description converted from before version 1.
	FormatVersion int    `json:"format_version"`
	CodeVersion   string `json:"code_version"`
	// Runner names the engine of a run that was not made in process by swd
	// link (e.g. "beam/prism" for swd-beam); empty for swd link.
	Runner string `json:"runner,omitempty"`
	Params Params `json:"params"`
	// Model is the Fellegi–Sunter model the links were scored with: fitted
	// by EM, or given (Params.ModelGiven).
	Model    *model.Model  `json:"model"`
	Partners []string      `json:"partners"` // in the order of the linked files
	Clusters cluster.Stats `json:"clusters"`
	Expected Expected      `json:"expected"`
	// HouseholdErrors are the linkage's estimated household split and
	// merge rates (from the model's posteriors); nil when the runner did
	// not estimate them.
	HouseholdErrors *HouseholdErrors `json:"household_errors,omitempty"`
}

// HouseholdErrors are the estimated household split and merge rates of a
// run (linkage.HouseholdErrors): the share of linked households expected
// to be part of a true household split in several, and the share expected
// to merge several true households.
type HouseholdErrors struct {
	Households     int     `json:"households"`
	ExpectedSplits float64 `json:"expected_splits"`
	ExpectedMerges float64 `json:"expected_merges"`
	SplitRate      float64 `json:"split_rate"`
	MergeRate      float64 `json:"merge_rate"`
}

// Params are the parameters of the run, as the linker used them (defaults
// filled in). A description converted from before version 1 leaves
// FixedU, NoVeto, DiceThreshold and DiceTopK unset: they were not recorded.
type Params struct {
	Threshold     float64 `json:"threshold"`      // posterior match probability a link needs
	Assignment    string  `json:"assignment"`     // one-to-one assignment: "optimal" or "greedy"
	ModelGiven    bool    `json:"model_given"`    // the model was given (swd link --model), not fitted
	NoTF          bool    `json:"no_tf"`          // no term-frequency adjustment
	NoDedup       bool    `json:"no_dedup"`       // no search for duplicates inside a partner
	HouseholdAttr string  `json:"household_attr"` // attribute holding the partners' household ids
	USamples      int     `json:"u_samples"`      // random pairs drawn for u
	FixedU        bool    `json:"fixed_u"`        // u kept as sampled, not refitted by EM
	Seed          uint64  `json:"seed"`
	VetoWeight    float64 `json:"veto_weight"`
	NoVeto        bool    `json:"no_veto"`
	DiceMaxPairs  int64   `json:"dice_max_pairs"` // exhaustive CLK search up to this many pairs; < 0: never
	DiceThreshold float64 `json:"dice_threshold"`
	DiceTopK      int     `json:"dice_top_k"`
	// TF are the fields given the term-frequency adjustment (swd link
	// --tf); Clustering the components solved on all their pairs
	// (contested, all or merge); HouseholdMinWeight the weakest pair that
	// alone joins two partner households (0: no such rule). Unset in a
	// description from before issue 15.
	TF                 []string `json:"tf,omitempty"`
	Clustering         string   `json:"clustering,omitempty"`
	HouseholdMinWeight float64  `json:"household_min_weight,omitempty"`
	// NoCoResidence: households were not joined by a shared address and
	// phone (swd link --no-co-residence).
	NoCoResidence bool `json:"no_co_residence,omitempty"`
}

// Expected is the linkage quality expected from the posterior
// probabilities, without ground truth.
type Expected struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// legacyOptions are the fields of the untagged options that swd wrote
// before version 1 (the command's flags, Go field names). The file paths
// among them are not read.
type legacyOptions struct {
	Threshold     float64
	Model         string
	NoTF          bool
	NoDedup       bool
	Assignment    string
	HouseholdAttr string
	USamples      int
	Seed          uint64
	VetoWeight    float64
	DiceMaxPairs  int64
}

func (o *legacyOptions) params() Params {
	return Params{Threshold: o.Threshold, Assignment: o.Assignment, ModelGiven: o.Model != "", NoTF: o.NoTF,
		NoDedup: o.NoDedup, HouseholdAttr: o.HouseholdAttr, USamples: o.USamples, Seed: o.Seed,
		VetoWeight: o.VetoWeight, DiceMaxPairs: o.DiceMaxPairs}
}

// marshalRun is run as Write stores it, stamped with RunVersion; nil for
// no run.
func marshalRun(run *Run) ([]byte, error) {
	if run == nil {
		return nil, nil
	}
	r := *run
	r.FormatVersion = RunVersion
	return json.Marshal(&r)
}

// ParseRun reads a run description stored in the links file name. The
// model in it must validate (model.Model.Validate). Errors say what is
// wrong in their own words: they never quote the description.
func ParseRun(data []byte, name string) (*Run, error) {
	var raw struct {
		Run
		Options *legacyOptions `json:"options"` // before version 1
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, inputError(name, 0, "", fmt.Sprintf("the run description (%s) is not valid JSON of a run", RunKey))
	}
	r := raw.Run
	switch {
	case r.FormatVersion > RunVersion:
		return nil, inputError(name, 0, "", fmt.Sprintf("written by a newer swd: run description version %d, this swd reads up to %d", r.FormatVersion, RunVersion))
	case r.FormatVersion == 0 && raw.Options == nil:
		return nil, inputError(name, 0, "", fmt.Sprintf("the run description (%s) has neither a format version nor options", RunKey))
	case r.FormatVersion == 0:
		r.Params = raw.Options.params()
	}
	if r.Model != nil {
		if err := r.Model.Validate(); err != nil {
			return nil, fmt.Errorf("linksfile: %s (%s): %w", name, RunKey, err)
		}
	}
	return &r, nil
}
