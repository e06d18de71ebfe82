package envelope

import (
	"encoding/json"
	"fmt"
	"time"
)

// Content types written by swd.
const (
	ContentEncoded     = "application/vnd.swd.encoded+parquet"
	ContentSecret      = "application/vnd.swd.secret"
	ContentSecretShare = "application/vnd.swd.secret-share+json"
)

// Header is the authenticated, unencrypted description of a sealed
// payload. It is readable by anyone who holds the file (without the
// recipient key): it must hold no personal data.
type Header struct {
	// Sender and Recipient are key ids (identity.KeyID.String()). Seal sets
	// them from its keys.
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	// ContentType says what the payload is (Content* constants).
	ContentType string `json:"content_type"`
	// FileName is the base name of the original file, if any.
	FileName string `json:"file_name,omitempty"`
	// Partner is the partner the payload belongs to or is meant for.
	Partner string `json:"partner,omitempty"`
	// Created is when the envelope was sealed (UTC, second precision).
	Created time.Time `json:"created"`

	// SenderName is the name of the signer's key in the trust store, set by
	// Open after the signature verified. It is not part of the encoding.
	SenderName string `json:"-"`
}

// maxHeader bounds the header size, so a corrupt length cannot make Open
// allocate without limit.
const maxHeader = 64 << 10

func (h *Header) marshal() ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("envelope: encoding header: %w", err)
	}
	if len(b) > maxHeader {
		return nil, fmt.Errorf("envelope: header is %d bytes, at most %d", len(b), maxHeader)
	}
	return b, nil
}

func parseHeader(b []byte) (Header, error) {
	var h Header
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("malformed header")
	}
	return h, nil
}
