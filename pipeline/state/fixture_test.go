package state

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
)

var (
	fixtureOnce sync.Once
	fixtureDS   []*encoding.Dataset
	fixtureErr  error
)

// testSecret is the linkage secret of the fixture.
func testSecret(s string) encoding.Secret {
	var secret encoding.Secret
	copy(secret[:], s)
	return secret
}

// synthFixture is 300 synthetic households at the five default partners,
// encoded in memory with the synth example schema.
func synthFixture(t *testing.T) []*encoding.Dataset {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "swd-state-test-")
		if err != nil {
			fixtureErr = err
			return
		}
		defer os.RemoveAll(dir)
		fixtureDS, fixtureErr = encodeSynth(dir, testSecret("a fixed secret for tests only!!!"))
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureDS
}

func encodeSynth(dir string, secret encoding.Secret) ([]*encoding.Dataset, error) {
	var partners []synth.Partner
	for _, name := range synth.DefaultPartnerNames {
		partners = append(partners, synth.DefaultPartner(name))
	}
	if _, err := synth.Write(context.Background(), synth.Config{Households: 300, Partners: partners, Seed: 5, Corruption: synth.LevelLow}, dir, nil); err != nil {
		return nil, err
	}
	s, err := schema.Load("../../docs/examples/synth/schema.yaml")
	if err != nil {
		return nil, err
	}
	var out []*encoding.Dataset
	for _, p := range partners {
		fh, err := os.Open(filepath.Join(dir, p.Name+".csv"))
		if err != nil {
			return nil, err
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			return nil, err
		}
		enc, err := encoding.New(s, secret, p.Name)
		if err != nil {
			return nil, err
		}
		d, _, _, err := enc.EncodeDataset(context.Background(), rows[0], rows[1:])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// writeMonth writes the datasets, without a random share of their records,
// as encoded files in dir and returns their paths.
func writeMonth(t *testing.T, dir string, ds []*encoding.Dataset, share float64, seed uint64) []string {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, d := range ds {
		out := encoding.NewDataset(d.Meta, d.Layout())
		keep := make([]int, 0, d.Len())
		for i := range d.Len() {
			if r.Float64() >= share {
				keep = append(keep, i)
			}
		}
		appendRows(out, d, keep)
		path := filepath.Join(dir, fmt.Sprintf("%s.swd.parquet", d.Meta.Partner))
		if err := writeEncodings(path, out); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}
