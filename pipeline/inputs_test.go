package pipeline

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
)

// sealedFixture encodes two small exports, caritas's sealed to the linker
// and signed by signer, acli's plain, and writes the linker's key and a
// trust directory with the partners' public keys.
func sealedFixture(t *testing.T, signer string) (dir string, files []string, cfg OpenConfig) {
	t.Helper()
	dir = t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	ctx := context.Background()
	if _, err := synth.Write(ctx, synth.Config{Households: 40, Seed: 5, Partners: synth.PartnersByName([]string{"caritas", "acli"})}, p("ex"), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p("trust"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"linker", "caritas", "acli"} {
		k, err := identity.Generate(name, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := identity.WritePair(p(name), k, false); err != nil {
			t.Fatal(err)
		}
		if name != "linker" {
			if err := os.WriteFile(p("trust/"+name+".pub"), k.MarshalPublic(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, err := schema.Load("../docs/examples/synth/schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, partner := range []string{"caritas", "acli"} {
		cfg := EncodeConfig{Schema: s, Secret: encoding.Secret{7}, Partner: partner, In: p("ex/" + partner + ".csv"), Out: p(partner + ".swd")}
		if partner == "caritas" {
			cfg.Seal = SealConfig{To: p("linker.pub"), SignWith: p(signer + ".key")}
		}
		if _, err := Encode(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		files = append(files, cfg.Out)
	}
	if err := os.Mkdir(p("tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir, files, OpenConfig{Key: p("linker.key"), Trust: p("trust"), TempDir: p("tmp")}
}

// leftIn lists the files in dir.
func leftIn(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestOpenInputs(t *testing.T) {
	_, files, cfg := sealedFixture(t, "caritas")
	in, err := OpenInputs(files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if in.Paths[0] == files[0] || filepath.Dir(in.Paths[0]) != cfg.TempDir || in.Paths[1] != files[1] {
		t.Fatalf("paths %v for %v", in.Paths, files)
	}
	ds, err := in.ReadAll(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	dataset, err := encodedDataset(in)
	if err != nil || ds[0].Meta.Partner != "caritas" || len(dataset.Partners) != 2 || dataset.Partners[0] != "acli" {
		t.Fatalf("dataset %+v, %v", dataset, err)
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if left := leftIn(t, cfg.TempDir); len(left) > 0 {
		t.Fatalf("Close left %v", left)
	}
}

// TestOpenInputsFailsClosed: a sealed file without keys, with half of
// them, tampered, or signed by another partner than it names is refused,
// and nothing opened before the failure stays behind.
func TestOpenInputsFailsClosed(t *testing.T) {
	dir, files, cfg := sealedFixture(t, "caritas")
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	tampered := filepath.Join(dir, "tampered.swd")
	if err := os.WriteFile(tampered, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, impostor, impostorCfg := sealedFixture(t, "acli") // caritas's file, signed by acli
	tests := []struct {
		name  string
		files []string
		cfg   OpenConfig
		mark  error
	}{
		{"no keys", files, OpenConfig{TempDir: cfg.TempDir}, base.ErrUsage},
		{"key without trust", files, OpenConfig{Key: cfg.Key, TempDir: cfg.TempDir}, base.ErrUsage},
		{"tampered after a good one", []string{files[0], tampered}, cfg, base.ErrIntegrity},
		{"signed by another partner", impostor, impostorCfg, base.ErrIntegrity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenInputs(tt.files, tt.cfg)
			if !errors.Is(err, tt.mark) {
				t.Fatalf("error %v, want %v", err, tt.mark)
			}
			if left := leftIn(t, tt.cfg.TempDir); len(left) > 0 {
				t.Fatalf("left %v", left)
			}
		})
	}
}

// TestReadAllRefusesDuplicateIDs: an encoded file with a record id twice
// (written without swd encode's check) is refused when read, with the
// file's name and the rows.
func TestReadAllRefusesDuplicateIDs(t *testing.T) {
	dir := t.TempDir()
	layout := encoding.Layout{CLKBits: 64, Fields: []encoding.FieldSpec{{Name: "surname", Bits: 64}}}
	write := func(name string, ids ...string) string {
		path := filepath.Join(dir, name+".swd.parquet")
		w, err := encfile.Create(path, layout, name)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		for _, id := range ids {
			if err := w.Write(&encoding.Record{RecordID: id, CLK: []uint64{1}, Fields: [][]uint64{{3}}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Commit(encoding.Meta{SchemaFingerprint: "f", KeyCheck: "k"}); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good, bad := write("acli", "A1", "A2"), write("caritas", "C1", "C2", "C3", "C2")
	in, err := OpenInputs([]string{good, bad}, OpenConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	_, err = in.ReadAll(context.Background(), nil, nil)
	if !errors.Is(err, base.ErrInvalidInput) || !strings.Contains(err.Error(), bad+`: partner "caritas": encoded records 2 and 4 have the same record id`) ||
		strings.Contains(err.Error(), "C2") {
		t.Fatalf("got %v", err)
	}
}
