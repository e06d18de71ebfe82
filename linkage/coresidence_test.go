package linkage

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/eval"
)

func TestCoResidenceKeys(t *testing.T) {
	f := synthFixture(t)
	contact, place, err := CoResidenceKeys(f.ds)
	require.NoError(t, err)
	require.Len(t, contact, len(f.ds))
	require.Len(t, place, len(f.ds))
	truth, err := eval.ReadCSV(bytes.NewReader(f.truth), "truth.csv")
	require.NoError(t, err)
	type pair struct{ contact, place uint64 }
	home := map[pair]map[string]bool{} // a record's phone and address → true households
	partners := map[pair]map[string]bool{}
	for k, d := range f.ds {
		require.Len(t, contact[k], len(d.RecordIDs))
		require.Len(t, place[k], len(d.RecordIDs))
		addr, phone := d.Field("address"), d.Field("phone")
		for row := range d.RecordIDs {
			require.Equal(t, phone.Present[row], contact[k][row] != 0, "a contact exactly when the phone is present")
			require.Equal(t, addr.Present[row], place[k][row] != 0, "a place exactly when the address is present")
			key := pair{contact[k][row], place[k][row]}
			if key.contact == 0 || key.place == 0 {
				continue
			}
			lab, ok := truth.Lookup(cluster.RecordKey{Partner: d.Meta.Partner, RecordID: d.RecordIDs[row]})
			require.True(t, ok)
			if home[key] == nil {
				home[key], partners[key] = map[string]bool{}, map[string]bool{}
			}
			home[key][lab.Household] = true
			partners[key][d.Meta.Partner] = true
		}
	}
	shared := 0
	for key, hs := range home {
		require.Len(t, hs, 1, "records of one phone and address live in one household")
		if len(partners[key]) > 1 {
			shared++
		}
	}
	require.Positive(t, shared, "some phones and addresses are held by two partners")

	t.Run("no schema, no keys", func(t *testing.T) {
		d := *f.ds[0]
		d.Meta.Schema = nil
		contact, place, err := CoResidenceKeys(append([]*encoding.Dataset{&d}, f.ds[1:]...))
		require.NoError(t, err)
		require.Nil(t, contact)
		require.Nil(t, place)
	})
}
