package identity

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"strconv"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/keyfile"
)

// PEM block types and header names of the key files.
const (
	PublicPEMType  = "SWD PUBLIC KEY"
	PrivatePEMType = "SWD PRIVATE KEY"
	algorithms     = "X-Wing (X25519+ML-KEM-768); Ed25519+ML-DSA-65"
)

// MarshalPublic encodes the public key as PEM text with the headers
// Version, Name, Key-Id and Algorithms.
func (p *Public) MarshalPublic() []byte {
	return pem.EncodeToMemory(&pem.Block{
		Type:    PublicPEMType,
		Headers: headers(p),
		Bytes:   p.Bytes(),
	})
}

// MarshalPrivate encodes the identity as PEM text; the body is the three
// 32-byte seeds (X-Wing, Ed25519, ML-DSA-65). It is a secret.
func (k *Private) MarshalPrivate() []byte {
	return pem.EncodeToMemory(&pem.Block{
		Type:    PrivatePEMType,
		Headers: headers(k.Public),
		Bytes:   k.seeds[:],
	})
}

func headers(p *Public) map[string]string {
	return map[string]string{
		"Version":    strconv.Itoa(Version),
		"Name":       p.Name,
		"Key-Id":     p.id.String(),
		"Algorithms": algorithms,
	}
}

// decode checks the PEM envelope common to both key files and returns the
// block; the key id header, when present, must match want once computed.
func decode(data []byte, typ string) (*pem.Block, error) {
	blk, rest := pem.Decode(data)
	if blk == nil {
		return nil, fmt.Errorf("no %s PEM block", typ)
	}
	if blk.Type != typ {
		return nil, fmt.Errorf("PEM block is %q, want %q", blk.Type, typ)
	}
	if len(bytes.TrimLeft(rest, " \n\r\t")) != 0 {
		return nil, fmt.Errorf("trailing data after the %s block", typ)
	}
	if v := blk.Headers["Version"]; v != strconv.Itoa(Version) {
		return nil, fmt.Errorf("unsupported key version %q (this swd reads version %d)", v, Version)
	}
	if !ValidName(blk.Headers["Name"]) {
		return nil, fmt.Errorf("missing or invalid Name header")
	}
	return blk, nil
}

func checkID(blk *pem.Block, got KeyID) error {
	if s, ok := blk.Headers["Key-Id"]; ok && s != got.String() {
		return fmt.Errorf("Key-Id header %s does not match the key (%s)", s, got)
	}
	return nil
}

// ParsePublic decodes a public key file's content.
func ParsePublic(data []byte) (*Public, error) {
	blk, err := decode(data, PublicPEMType)
	if err != nil {
		return nil, err
	}
	p, err := parsePublic(blk.Headers["Name"], blk.Bytes)
	if err != nil {
		return nil, err
	}
	if err := checkID(blk, p.id); err != nil {
		return nil, err
	}
	return p, nil
}

// ParsePrivate decodes a private key file's content.
func ParsePrivate(data []byte) (*Private, error) {
	blk, err := decode(data, PrivatePEMType)
	if err != nil {
		return nil, err
	}
	if len(blk.Bytes) != SeedsSize {
		return nil, fmt.Errorf("private key body is %d bytes, want %d", len(blk.Bytes), SeedsSize)
	}
	var seeds [SeedsSize]byte
	copy(seeds[:], blk.Bytes)
	k := fromSeeds(blk.Headers["Name"], seeds)
	if err := checkID(blk, k.id); err != nil {
		return nil, err
	}
	return k, nil
}

// LoadPublic reads a *.pub file. Errors are marked base.ErrInvalidInput.
func LoadPublic(path string) (*Public, error) {
	return base.LoadFile(path, "public key", os.ReadFile, ParsePublic)
}

// LoadPrivate reads a *.key file, refusing one that group or others can
// read (base.ErrInsecure). Errors never contain key material.
func LoadPrivate(path string) (*Private, error) {
	return base.LoadFile(path, "private key", keyfile.Read, ParsePrivate)
}

// WritePair writes prefix.key (0600) and prefix.pub (0644) atomically. It
// refuses to overwrite an existing private key unless overwrite is set.
func WritePair(prefix string, k *Private, overwrite bool) (keyPath, pubPath string, err error) {
	keyPath, pubPath = prefix+".key", prefix+".pub"
	if !overwrite {
		for _, p := range []string{keyPath, pubPath} {
			if _, err := os.Lstat(p); err == nil {
				return "", "", base.Usagef("%s already exists; refusing to overwrite (use --force)", p)
			}
		}
	}
	if err := keyfile.Write(keyPath, k.MarshalPrivate(), true); err != nil {
		return "", "", err
	}
	if err := atomicfile.WriteFile(pubPath, k.MarshalPublic(), 0o644); err != nil {
		return "", "", err
	}
	return keyPath, pubPath, nil
}
