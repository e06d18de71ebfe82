package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/welfare-district/swd/internal/codicefiscale"
)

// Role is a member's place in the household.
type Role int

// Roles of household members.
const (
	RoleHead Role = iota
	RoleSpouse
	RoleChild
	RoleParent // an elderly parent living with the head
)

// Person is one generated person, with the true values of every field.
type Person struct {
	ID        int64 // truth person id, unique in a run
	Role      Role
	Surname   string
	Name      string
	Female    bool
	Birth     time.Time
	Place     string // Belfiore code of the birthplace (comune or Z### country)
	PlaceName string // comune or country name
	Foreign   bool   // born abroad
	CF        string // valid codice fiscale (omocodic for a few people)
	Phone     string // digits only, "" when none
	Needs     []string
}

// Age at the reference date.
func (p *Person) Age(ref time.Time) int {
	a := ref.Year() - p.Birth.Year()
	if ref.YearDay() < p.Birth.YearDay() {
		a--
	}
	return a
}

// Household is one generated household with its canonical needs.
type Household struct {
	ID        int64 // truth household id
	Quartiere int   // Padova district 1–6
	// Comune is the Belfiore code of the comune of residence: Padova
	// (G224) unless the run has more than CityHouseholds households
	// (region.go). It is not a column of the partner files: the CAP says it.
	Comune   string
	Street   string
	Number   string
	CAP      string
	Landline string // digits, "" when none
	Country  string // Belfiore Z-code of the head's country, "" when Italian-born
	Members  []Person
	Needs    []string // canonical need codes, in canonical order
}

// Address is the street address as the household's own documents write it.
func (h *Household) Address() string { return h.Street + " " + h.Number }

// household sizes 1–6, as in a welfare district's caseload (more elderly
// singles and large families than the general population).
var sizeWeights = []float64{0.36, 0.27, 0.16, 0.13, 0.06, 0.02}

// quartiere weights: rough population shares of Padova's districts.
var quartiereWeights = []float64{0.12, 0.20, 0.18, 0.18, 0.14, 0.18}

// builder generates one household with a given random source.
type builder struct {
	t       *tables
	r       *rand.Rand
	ref     time.Time
	foreign float64
	// outside is the share of households living in the region's other
	// comuni (regionShare; 0 up to CityHouseholds households).
	outside float64
	nextPID *int64
}

func pickIndex(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

func (b *builder) household(id int64) *Household {
	h := &Household{ID: id, Quartiere: 1 + pickIndex(b.r, quartiereWeights)}
	st := b.t.streets[h.Quartiere][b.r.IntN(len(b.t.streets[h.Quartiere]))]
	h.Street, h.CAP, h.Number = st.Name, st.CAP, houseNumber(b.r)
	h.Comune = padovaCode
	if b.outside > 0 && b.r.Float64() < b.outside {
		b.elsewhereInRegion(h)
	}
	var c *country
	if b.r.Float64() < b.foreign {
		c = b.t.countries.pick(b.r)
		h.Country = c.Code
	}
	size := 1 + pickIndex(b.r, sizeWeights)
	b.members(h, c, size)
	for i := range h.Members {
		b.finish(h, &h.Members[i], c)
	}
	if b.r.Float64() < landlineRate(h, b.ref) {
		h.Landline = landline(b.r)
	}
	for i := range h.Members {
		b.phone(h, &h.Members[i])
	}
	drawNeeds(b.r, h, b.ref)
	return h
}

func landlineRate(h *Household, ref time.Time) float64 {
	if h.Members[0].Age(ref) >= 65 {
		return 0.7
	}
	return 0.3
}

func houseNumber(r *rand.Rand) string {
	n := 1 + int(r.ExpFloat64()*30)%180
	switch x := r.Float64(); {
	case x < 0.06:
		return fmt.Sprintf("%d/%c", n, 'A'+rune(r.IntN(3)))
	case x < 0.10:
		return fmt.Sprintf("%d/%d", n, 1+r.IntN(4))
	}
	return fmt.Sprint(n)
}

// members lays out the household: who, which sex, which age, which
// surname. Names, places and codes come in finish.
func (b *builder) members(h *Household, c *country, size int) {
	r := b.r
	switch {
	case size == 1:
		if r.Float64() < 0.5 {
			b.add(h, RoleHead, r.Float64() < 0.7, between(r, 65, 97), "")
		} else {
			b.add(h, RoleHead, r.Float64() < 0.45, between(r, 20, 64), "")
		}
	case size == 2 && r.Float64() < 0.45:
		b.couple(h, c, 0)
	case size == 2 && r.Float64() < 0.6:
		b.singleParent(h, c, 1)
	case size == 2:
		// an elderly parent living with an adult child
		parent := b.add(h, RoleHead, r.Float64() < 0.7, between(r, 72, 97), "")
		b.add(h, RoleChild, r.Float64() < 0.5, parent.Age(b.ref)-between(r, 24, 38), "")
	case r.Float64() < 0.82:
		b.couple(h, c, size-2)
	case r.Float64() < 0.7 || size < 4:
		b.singleParent(h, c, size-1)
	default:
		b.couple(h, c, size-3)
		b.grandparent(h)
	}
}

// add appends a member of the given age (random birthday).
func (b *builder) add(h *Household, role Role, female bool, age int, surname string) *Person {
	if age < 0 {
		age = 0
	}
	birth := b.ref.AddDate(-age-1, 0, 1+b.r.IntN(365))
	*b.nextPID++
	h.Members = append(h.Members, Person{ID: *b.nextPID, Role: role, Female: female, Birth: birth, Surname: surname})
	return &h.Members[len(h.Members)-1]
}

func (b *builder) couple(h *Household, c *country, children int) {
	r := b.r
	var age int
	switch x := r.Float64(); {
	case children > 0:
		age = between(r, 27, 50) + children
	case x < 0.3:
		age = between(r, 25, 45)
	case x < 0.6:
		age = between(r, 45, 65)
	default:
		age = between(r, 65, 92)
	}
	headFemale := r.Float64() < 0.15
	b.add(h, RoleHead, headFemale, age, "")
	// men a little older on average; the conversion stops the compiler
	// from fusing the multiply-add, which would change the output on
	// arm64
	gap := int(float64(r.NormFloat64()*3) + 2)
	if headFemale {
		gap = -gap
	}
	spouse := max(age-gap, 18)
	b.add(h, RoleSpouse, !headFemale, spouse, "")
	mother := spouse
	if headFemale {
		mother = age
	}
	for range children {
		b.add(h, RoleChild, r.Float64() < 0.49, childAge(r, mother), "")
	}
}

func (b *builder) singleParent(h *Household, c *country, children int) {
	r := b.r
	female := r.Float64() < 0.85
	age := between(r, 24, 56)
	b.add(h, RoleHead, female, age, "")
	for range children {
		b.add(h, RoleChild, r.Float64() < 0.49, childAge(r, age), "")
	}
}

func (b *builder) grandparent(h *Household) {
	oldest := 0
	for i := range h.Members {
		oldest = max(oldest, h.Members[i].Age(b.ref))
	}
	b.add(h, RoleParent, b.r.Float64() < 0.7, min(oldest+between(b.r, 22, 35), 99), "")
}

// childAge: born when the parent was 18–44, and at most 30 years old.
func childAge(r *rand.Rand, parentAge int) int {
	hi := min(parentAge-18, 30)
	lo := max(parentAge-44, 0)
	return between(r, lo, max(lo, hi))
}

// finish gives a member a surname, a name, a birthplace and a fiscal code.
func (b *builder) finish(h *Household, p *Person, c *country) {
	r := b.r
	foreignBorn := c != nil && (p.Role != RoleChild || p.Age(b.ref) > between(r, 0, 25))
	if c != nil && p.Role == RoleSpouse && r.Float64() < 0.08 {
		c = nil // mixed couple: Italian spouse
		foreignBorn = false
	}
	if p.Surname == "" {
		p.Surname = b.surname(h, p, c)
	}
	p.Name = b.givenName(p, c, foreignBorn)
	switch {
	case foreignBorn:
		p.Place, p.PlaceName, p.Foreign = c.Code, c.Name, true
	case p.Age(b.ref) < 35 && r.Float64() < 0.7, c != nil:
		p.Place, p.PlaceName = "G224", b.t.placeNames["G224"]
	default:
		pl := b.t.comuni.pick(r)
		p.Place, p.PlaceName = pl.Code, pl.Name
	}
	cf, err := codicefiscale.Compute(codicefiscale.Person{Surname: p.Surname, Name: p.Name, Female: p.Female, Birth: p.Birth, Place: p.Place})
	if err != nil {
		panic(fmt.Sprintf("synth: generated person has no fiscal code: %v", err)) // embedded data is broken
	}
	if r.Float64() < 0.002 { // omocodia: the revenue agency changed the code
		cf, _ = codicefiscale.Omocode(cf, 1+r.IntN(2))
	}
	p.CF = cf
}

// surname: children and (in some communities) wives share the head's or
// the father's surname; everyone else draws their own.
func (b *builder) surname(h *Household, p *Person, c *country) string {
	r := b.r
	draw := func() string {
		if c != nil {
			return c.surnames.pick(r)
		}
		return b.t.surnames.pick(r)
	}
	father := ""
	for i := range h.Members {
		m := &h.Members[i]
		if !m.Female && (m.Role == RoleHead || m.Role == RoleSpouse) && m.Surname != "" {
			father = m.Surname
		}
	}
	switch p.Role {
	case RoleChild:
		if father != "" && r.Float64() < 0.97 {
			return father
		}
		if h.Members[0].Surname != "" && r.Float64() < 0.7 {
			return h.Members[0].Surname
		}
	case RoleSpouse:
		if c != nil && c.sharedSurname && father != "" && r.Float64() < 0.8 {
			return father
		}
	}
	return draw()
}

func (b *builder) givenName(p *Person, c *country, foreignBorn bool) string {
	r := b.r
	if c != nil && (foreignBorn || r.Float64() < 0.7) {
		if p.Female {
			return c.female.pick(r)
		}
		return c.male.pick(r)
	}
	sex := "M"
	if p.Female {
		sex = "F"
	}
	cohort := "young"
	switch y := p.Birth.Year(); {
	case y < 1960:
		cohort = "old"
	case y < 1990:
		cohort = "mid"
	}
	return b.t.given[sex+"/"+cohort].pick(r)
}
