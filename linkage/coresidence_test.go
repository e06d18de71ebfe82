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
	keys, err := CoResidenceKeys(f.ds)
	require.NoError(t, err)
	require.Len(t, keys, len(f.ds))
	truth, err := eval.ReadCSV(bytes.NewReader(f.truth), "truth.csv")
	require.NoError(t, err)
	home := map[uint64]map[string]bool{} // key → true households of its records
	partners := map[uint64]map[string]bool{}
	for k, d := range f.ds {
		require.Len(t, keys[k], len(d.RecordIDs))
		addr, phone := d.Field("address"), d.Field("phone")
		for row, key := range keys[k] {
			require.Equal(t, addr.Present[row] && phone.Present[row], key != 0, "a key exactly when both are present")
			if key == 0 {
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
		require.Len(t, hs, 1, "records of one key live in one household")
		if len(partners[key]) > 1 {
			shared++
		}
	}
	require.Positive(t, shared, "some keys are held by two partners")

	t.Run("no schema, no keys", func(t *testing.T) {
		d := *f.ds[0]
		d.Meta.Schema = nil
		keys, err := CoResidenceKeys(append([]*encoding.Dataset{&d}, f.ds[1:]...))
		require.NoError(t, err)
		require.Nil(t, keys)
	})
}
