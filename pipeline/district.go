package pipeline

import (
	"fmt"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/taxonomy"
)

// LoadDistrict reads a district file (taxonomy.LoadDistrict) and checks
// everything it points to: the code maps (each the map of the partner it
// is listed under) and the public keys (each the identity of the partner
// it is listed under). Errors are marked base.ErrInvalidInput, or
// base.ErrUsage when the file does not exist, and name the partner.
func LoadDistrict(path string) (*taxonomy.District, error) {
	d, err := taxonomy.LoadDistrict(path)
	if err != nil {
		return nil, err
	}
	if _, err := d.CodeMaps(); err != nil {
		return nil, err
	}
	if _, err := districtKeys(d); err != nil {
		return nil, err
	}
	return d, nil
}

// districtKeys loads the public keys a district file lists: each must be
// the identity of the partner it is listed under. Nil when it lists none.
func districtKeys(d *taxonomy.District) (*identity.Keyring, error) {
	var pubs []*identity.Public
	for _, p := range d.Partners {
		if p.PublicKey == "" {
			continue
		}
		pub, err := identity.LoadPublic(d.Path(p.PublicKey))
		if err != nil {
			return nil, base.Mark(fmt.Errorf("district file, partner %s: %w", p.Name, err), base.ErrInvalidInput)
		}
		if pub.Name != p.Name {
			return nil, base.Invalidf("district file, partner %s: the public key %s is the identity of %q", p.Name, p.PublicKey, pub.Name)
		}
		pubs = append(pubs, pub)
	}
	if len(pubs) == 0 {
		return nil, nil
	}
	return identity.NewKeyring(pubs...), nil
}

// checkDistrictPartners refuses encoded files of partners the district
// file does not name (nil district: nothing to check).
func checkDistrictPartners(d *taxonomy.District, in *Inputs) error {
	if d == nil {
		return nil
	}
	partners, err := in.Partners()
	if err != nil {
		return err
	}
	return d.CheckPartners(partners)
}
