package schema

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"

	"go.yaml.in/yaml/v3"

	"github.com/welfare-district/swd/internal/base"
)

// Load reads and parses the schema file at path.
func Load(path string) (*Schema, error) {
	return base.LoadFile(path, "schema", os.ReadFile, Parse)
}

// Parse decodes a YAML schema, fills in the defaults and validates it.
// Unknown keys are errors (a misspelt option must not be silently ignored).
// Errors are marked swd.ErrInvalidInput.
func Parse(data []byte) (*Schema, error) {
	if err := checkKnownKeys(data); err != nil {
		return nil, err
	}
	s := defaultSchema()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, base.Invalidf("schema is empty")
		}
		return nil, base.Invalidf("schema: %s", base.RedactYAML(err.Error()))
	}
	if err := s.resolve(); err != nil {
		return nil, base.Mark(err, base.ErrInvalidInput)
	}
	if err := s.Validate(); err != nil {
		return nil, base.Mark(err, base.ErrInvalidInput)
	}
	return &s, nil
}

// UnmarshalYAML starts a field from the defaults of its kind, so that the
// YAML only overrides what it sets.
func (f *Field) UnmarshalYAML(node *yaml.Node) error {
	var probe struct {
		Kind    Kind     `yaml:"kind"`
		Formats []string `yaml:"formats"`
	}
	if err := node.Decode(&probe); err != nil {
		return err
	}
	*f = DefaultField(probe.Kind)
	f.raw.formats = probe.Formats != nil
	if f.raw.formats {
		f.Formats = nil
	}
	type plain Field
	return node.Decode((*plain)(f))
}

// The shadow types mirror Schema without the custom unmarshaler, to decode
// strictly and report unknown keys with their line.
type shadowField Field

type shadowSchema struct {
	Version    int           `yaml:"version"`
	Partner    string        `yaml:"partner"`
	IDColumn   string        `yaml:"id_column"`
	Input      Input         `yaml:"input"`
	CLK        CLK           `yaml:"clk"`
	Fields     []shadowField `yaml:"fields"`
	Blocking   []BlockKey    `yaml:"blocking"`
	Attributes []Attribute   `yaml:"attributes"`
}

func checkKnownKeys(data []byte) error {
	var sh shadowSchema
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sh); err != nil && !errors.Is(err, io.EOF) {
		// The decoder quotes values it cannot use (`ROSSI M...`): a data
		// file given as the schema must not show its records.
		return base.Invalidf("schema: %s", base.RedactYAML(err.Error()))
	}
	return nil
}

var (
	saltYearRE = regexp.MustCompile(`^\s*year\(\s*([^()\s]+)\s*\)\s*$`)
	saltDateRE = regexp.MustCompile(`^\s*date\(\s*([^()\s]+)\s*\)\s*$`)
)

// resolve folds shorthands into their long form.
func (s *Schema) resolve() error {
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.Column != "" {
			if len(f.Columns) > 0 {
				return fieldErr("field", f.Name, "set either column or columns, not both")
			}
			f.Columns = []string{f.Column}
			f.Column = ""
		}
		// salt: year(f) is the explicit spelling of a date field's salt,
		// which is always its year: it resolves to the field's name, so
		// both spellings give one fingerprint.
		if m := saltYearRE.FindStringSubmatch(f.Salt); m != nil {
			f.Salt, f.raw.saltYear = m[1], true
		}
		// salt: date(f) salts with the whole date (SaltPart "date");
		// salt_part: year is the default, spelt "".
		if m := saltDateRE.FindStringSubmatch(f.Salt); m != nil {
			if f.SaltPart != "" && f.SaltPart != SaltPartDate {
				return fieldErr("field", f.Name, "salt: date(%s) contradicts salt_part: %s", m[1], f.SaltPart)
			}
			f.Salt, f.SaltPart = m[1], SaltPartDate
		}
		if f.SaltPart == "year" {
			f.SaltPart = ""
		}
	}
	for j := range s.Blocking {
		if s.Blocking[j].Bytes == 0 {
			s.Blocking[j].Bytes = DefaultBlockKeyBytes
		}
	}
	return nil
}
