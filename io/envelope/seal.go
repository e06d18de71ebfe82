package envelope

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/identity"
)

// Seal encrypts everything read from r to the recipient to, signs it with
// signer and writes the envelope to w. Sender, Recipient and (when zero)
// Created of meta are filled in. Memory use does not depend on the size of
// the payload.
func Seal(w io.Writer, r io.Reader, to *identity.Public, signer *identity.Private, meta Header) error {
	return seal(w, r, to, signer, meta, DefaultChunkSize)
}

func seal(w io.Writer, r io.Reader, to *identity.Public, signer *identity.Private, meta Header, chunkSize uint32) error {
	if to == nil || signer == nil {
		return errors.New("envelope: Seal needs a recipient and a signer")
	}
	meta.Sender = signer.ID().String()
	meta.Recipient = to.ID().String()
	if meta.Created.IsZero() {
		meta.Created = time.Now().UTC().Truncate(time.Second)
	}
	hb, err := meta.marshal()
	if err != nil {
		return err
	}
	head := append(preamble(chunkSize, len(hb)), hb...)
	sender, err := suite.NewSender(to.KEMKey(), hpkeInfo(head))
	if err != nil {
		return fmt.Errorf("envelope: %w", err)
	}
	enc, sealer, err := sender.Setup(rand.Reader)
	if err != nil {
		return fmt.Errorf("envelope: HPKE setup: %w", err)
	}

	transcript := sha256.New()
	bw := bufio.NewWriterSize(w, int(chunkSize)+recordHeader+tagSize)
	out := io.MultiWriter(bw, transcript)
	head = binary.BigEndian.AppendUint16(head, uint16(len(enc)))
	head = append(head, enc...)
	if _, err := out.Write(head); err != nil {
		return fmt.Errorf("envelope: writing: %w", err)
	}
	if err := sealChunks(out, r, sealer.Seal, int(chunkSize)); err != nil {
		return err
	}
	sig, err := signer.Sign(sigContext, transcript.Sum(nil))
	if err != nil {
		return fmt.Errorf("envelope: %w", err)
	}
	tail := binary.BigEndian.AppendUint16(nil, uint16(len(sig)))
	if _, err := bw.Write(append(tail, sig...)); err != nil {
		return fmt.Errorf("envelope: writing: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("envelope: writing: %w", err)
	}
	return nil
}

// sealChunks reads r one chunk ahead, so that the last chunk (possibly
// empty) is known when it is sealed.
func sealChunks(out io.Writer, r io.Reader, sealFn func(pt, aad []byte) ([]byte, error), chunkSize int) error {
	cur, next := make([]byte, chunkSize), make([]byte, chunkSize)
	n, err := readChunk(r, cur)
	if err != nil {
		return err
	}
	for {
		last, m := n < chunkSize, 0
		if !last {
			if m, err = readChunk(r, next); err != nil {
				return err
			}
			last = m == 0
		}
		flag := byte(flagMore)
		if last {
			flag = flagLast
		}
		hdr := recordHdr(flag, n+tagSize)
		ct, err := sealFn(cur[:n], hdr)
		if err != nil {
			return fmt.Errorf("envelope: sealing: %w", err)
		}
		if _, err := out.Write(hdr); err != nil {
			return fmt.Errorf("envelope: writing: %w", err)
		}
		if _, err := out.Write(ct); err != nil {
			return fmt.Errorf("envelope: writing: %w", err)
		}
		if last {
			return nil
		}
		cur, next, n = next, cur, m
	}
}

func readChunk(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	if err != nil {
		return n, fmt.Errorf("envelope: reading payload: %w", err)
	}
	return n, nil
}

// SealFile seals the file src into dst (written atomically, 0644). When
// meta.FileName is empty it is set to the base name of src.
func SealFile(dst, src string, to *identity.Public, signer *identity.Private, meta Header) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("envelope: %w", err)
	}
	defer in.Close()
	if meta.FileName == "" {
		meta.FileName = filepath.Base(src)
	}
	out, err := atomicfile.Create(dst, 0o644)
	if err != nil {
		return err
	}
	defer out.Abort()
	if err := Seal(out, in, to, signer, meta); err != nil {
		return fmt.Errorf("sealing %s: %w", src, err)
	}
	return out.Commit()
}
