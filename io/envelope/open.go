package envelope

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/cloudflare/circl/kem/xwing"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/identity"
)

// reader reads the envelope, feeding everything it reads into the
// transcript hash until the signature record.
type reader struct {
	r          *bufio.Reader
	transcript hash.Hash
}

func (rd *reader) full(buf []byte, what string) error {
	if _, err := io.ReadFull(rd.r, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return integrityf("truncated file (ends inside the %s)", what)
		}
		return fmt.Errorf("envelope: reading: %w", err)
	}
	rd.transcript.Write(buf)
	return nil
}

// Open checks and decrypts an envelope read from r, writing the payload to
// w, and returns its header (with SenderName set). Every failure (not an
// envelope, other version, not addressed to me, unknown signer, any
// modified, missing, reordered or extra byte) is marked swd.ErrIntegrity.
//
// The payload is written as chunks authenticate, before the signature at
// the end is checked: on error, discard whatever was written to w.
func Open(w io.Writer, r io.Reader, me *identity.Private, trust TrustStore) (Header, error) {
	if me == nil || trust == nil {
		return Header{}, errors.New("envelope: Open needs a private key and a trust store")
	}
	rd := &reader{r: bufio.NewReaderSize(r, 1<<16), transcript: sha256.New()}
	hdr, chunkSize, signer, err := readHead(rd, me, trust)
	if err != nil {
		return Header{}, err
	}
	var encLen [2]byte
	if err := rd.full(encLen[:], "key encapsulation"); err != nil {
		return Header{}, err
	}
	if n := binary.BigEndian.Uint16(encLen[:]); n != xwing.CiphertextSize {
		return Header{}, integrityf("key encapsulation is %d bytes, want %d", n, xwing.CiphertextSize)
	}
	enc := make([]byte, xwing.CiphertextSize)
	if err := rd.full(enc, "key encapsulation"); err != nil {
		return Header{}, err
	}
	receiver, err := suite.NewReceiver(me.KEMPrivateKey(), hdr.info)
	if err != nil {
		return Header{}, fmt.Errorf("envelope: %w", err)
	}
	opener, err := receiver.Setup(enc)
	if err != nil {
		return Header{}, integrityf("key decapsulation failed")
	}
	if err := openChunks(w, rd, opener.Open, chunkSize); err != nil {
		return Header{}, err
	}
	if err := checkSignature(rd, signer); err != nil {
		return Header{}, err
	}
	hdr.h.SenderName = signer.Name
	return hdr.h, nil
}

type parsedHead struct {
	h    Header
	info []byte
}

func readHead(rd *reader, me *identity.Private, trust TrustStore) (parsedHead, int, *identity.Public, error) {
	pre := make([]byte, preambleSize)
	if err := rd.full(pre, "preamble"); err != nil {
		return parsedHead{}, 0, nil, err
	}
	if string(pre[:len(Magic)]) != Magic {
		return parsedHead{}, 0, nil, integrityf("not a swd envelope (bad magic)")
	}
	if v := pre[len(Magic)]; v != Version {
		return parsedHead{}, 0, nil, integrityf("unsupported envelope version %d (this swd reads %d)", v, Version)
	}
	if s := pre[len(Magic)+1]; s != SuiteXWingAES256 {
		return parsedHead{}, 0, nil, integrityf("unsupported cipher suite %d", s)
	}
	chunkSize := binary.BigEndian.Uint32(pre[8:12])
	if !validChunkSize(chunkSize) {
		return parsedHead{}, 0, nil, integrityf("invalid chunk size %d", chunkSize)
	}
	hlen := binary.BigEndian.Uint32(pre[12:16])
	if hlen == 0 || hlen > maxHeader {
		return parsedHead{}, 0, nil, integrityf("invalid header length %d", hlen)
	}
	hb := make([]byte, hlen)
	if err := rd.full(hb, "header"); err != nil {
		return parsedHead{}, 0, nil, err
	}
	h, err := parseHeader(hb)
	if err != nil {
		return parsedHead{}, 0, nil, integrityf("%v", err)
	}
	if h.Recipient != me.ID().String() {
		return parsedHead{}, 0, nil, integrityf("sealed to key %s, not to this key (%s %s): wrong recipient",
			printable(h.Recipient), me.Name, me.ID())
	}
	sid, err := identity.ParseKeyID(h.Sender)
	if err != nil {
		return parsedHead{}, 0, nil, integrityf("malformed sender key id")
	}
	signer, ok := trust.Lookup(sid)
	if !ok {
		return parsedHead{}, 0, nil, integrityf("signed by key %s, which is not in the trust store: unknown signer", sid)
	}
	info := hpkeInfo(append(pre, hb...))
	return parsedHead{h: h, info: info}, int(chunkSize), signer, nil
}

func printable(s string) string {
	if _, err := identity.ParseKeyID(s); err != nil {
		return "(malformed)"
	}
	return s
}

func openChunks(w io.Writer, rd *reader, openFn func(ct, aad []byte) ([]byte, error), chunkSize int) error {
	hdr := make([]byte, recordHeader)
	ct := make([]byte, chunkSize+tagSize)
	for i := 0; ; i++ {
		if err := rd.full(hdr, fmt.Sprintf("chunk %d", i)); err != nil {
			return err
		}
		flag, n := hdr[0], int(binary.BigEndian.Uint32(hdr[1:]))
		switch {
		case flag == flagMore && n == chunkSize+tagSize:
		case flag == flagLast && n >= tagSize && n <= chunkSize+tagSize:
		default:
			return integrityf("chunk %d: invalid record header", i)
		}
		if err := rd.full(ct[:n], fmt.Sprintf("chunk %d", i)); err != nil {
			return err
		}
		pt, err := openFn(ct[:n], hdr)
		if err != nil {
			return integrityf("chunk %d failed authentication (modified, reordered, or sealed for another key)", i)
		}
		if _, err := w.Write(pt); err != nil {
			return fmt.Errorf("envelope: writing payload: %w", err)
		}
		if flag == flagLast {
			return nil
		}
	}
}

func checkSignature(rd *reader, signer *identity.Public) error {
	digest := rd.transcript.Sum(nil)
	var l [2]byte
	if _, err := io.ReadFull(rd.r, l[:]); err != nil {
		return integrityf("truncated file (ends before the signature)")
	}
	if n := binary.BigEndian.Uint16(l[:]); n != identity.SignatureSize {
		return integrityf("signature is %d bytes, want %d", n, identity.SignatureSize)
	}
	sig := make([]byte, identity.SignatureSize)
	if _, err := io.ReadFull(rd.r, sig); err != nil {
		return integrityf("truncated file (ends inside the signature)")
	}
	if !signer.Verify(sigContext, digest, sig) {
		return integrityf("signature by %s (%s) does not verify: the file was modified", signer.Name, signer.ID())
	}
	if _, err := rd.r.ReadByte(); err != io.EOF {
		if err != nil {
			return fmt.Errorf("envelope: reading: %w", err)
		}
		return integrityf("unexpected data after the signature")
	}
	return nil
}

// OpenFile opens the envelope src into dst, which is written atomically
// with permissions 0600 and only if every check passed.
func OpenFile(dst, src string, me *identity.Private, trust TrustStore) (Header, error) {
	in, err := os.Open(src)
	if err != nil {
		return Header{}, fmt.Errorf("envelope: %w", err)
	}
	defer in.Close()
	out, err := atomicfile.Create(dst, 0o600)
	if err != nil {
		return Header{}, err
	}
	defer out.Abort()
	h, err := Open(out, in, me, trust)
	if err != nil {
		return Header{}, fmt.Errorf("opening %s: %w", src, err)
	}
	return h, out.Commit()
}

// IsSealed reports whether the file at path starts with the envelope magic.
func IsSealed(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, len(Magic))
	if _, err := io.ReadFull(f, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return false, nil
		}
		return false, err
	}
	return bytes.Equal(buf, []byte(Magic)), nil
}
