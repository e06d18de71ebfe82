package state

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/encoding"
)

// TestErase: erased records leave no trace in the state's files or the
// next period's links file, and the log names no record.
func TestErase(t *testing.T) {
	ctx := context.Background()
	ds := synthFixture(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	m1 := writeMonth(t, filepath.Join(tmp, "m1"), ds, 0, 0)
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-01", Inputs: m1, Out: filepath.Join(tmp, "l1.parquet"), Linkage: testLinkage}); err != nil {
		t.Fatal(err)
	}
	// Erase a few records of one partner that are linked to others.
	before, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	partner := ds[1].Meta.Partner
	erase := map[string]bool{}
	for _, e := range before.State.Edges {
		if e.PartnerA == partner && len(erase) < 5 {
			erase[e.RecordA] = true
		}
	}
	if len(erase) == 0 {
		t.Fatal("no linked record to erase")
	}
	var ids []string
	for id := range erase {
		ids = append(ids, id)
	}
	res, err := Erase(ctx, dir, partner, append(ids, "no-such-id"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Erased != len(ids) || res.Requested != len(ids)+1 {
		t.Fatalf("erase: %+v, want %d erased", res, len(ids))
	}
	after, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	checkNoTrace(t, after, partner, erase)
	last := after.Manifest.Log[len(after.Manifest.Log)-1]
	if last.Action != "erase" || last.Records != len(ids) || last.Partner != partner {
		t.Fatalf("log entry %+v", last)
	}
	// No file of the state holds an erased id in the clear.
	err = filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		for id := range erase {
			if bytes.Contains(data, []byte(id)) {
				t.Errorf("%s holds an erased record id", path)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// The partner's next snapshot no longer holds them: the next links
	// file has no trace of them either.
	var m2 []string
	for _, d := range ds {
		if d.Meta.Partner == partner {
			d = without(d, erase)
		}
		m2 = append(m2, writeMonth(t, filepath.Join(tmp, "m2"), []*encoding.Dataset{d}, 0, 0)...)
	}
	out2 := filepath.Join(tmp, "l2.parquet")
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-02", Inputs: m2, Out: out2, Linkage: testLinkage}); err != nil {
		t.Fatal(err)
	}
	links, _, err := linksfile.Read(out2)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.Partner == partner && erase[l.RecordID] {
			t.Fatal("the next links file holds an erased record")
		}
	}
	final, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	checkNoTrace(t, final, partner, erase)
}

func checkNoTrace(t *testing.T, s *Snapshot, partner string, ids map[string]bool) {
	t.Helper()
	for _, r := range s.State.Records {
		if r.Partner == partner && ids[r.RecordID] {
			t.Fatal("the records table holds an erased record")
		}
	}
	for _, e := range s.State.Edges {
		if e.PartnerA == partner && ids[e.RecordA] || e.PartnerB == partner && ids[e.RecordB] {
			t.Fatal("a link of the state touches an erased record")
		}
	}
	for _, d := range s.Encodings {
		for _, id := range d.RecordIDs {
			if d.Meta.Partner == partner && ids[id] {
				t.Fatal("the encodings hold an erased record")
			}
		}
	}
}
