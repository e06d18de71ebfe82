// Package schema defines the encoding schema that all partners of a linkage
// share: which columns feed which fields, how each field is normalised and
// tokenised, the sizes and hash counts of the Bloom filters, the record-level
// CLK, hardening, keyed blocking keys and the attributes carried in the clear.
//
// A schema is read from YAML (Parse, Load), completed with defaults and
// validated; errors name the field and the problem. Its Fingerprint is the
// SHA-256 of a canonical serialisation of everything that affects the
// encodings, so that cosmetic differences in the YAML do not change it while
// any encoding-relevant change does. See docs/schema.md.
package schema
