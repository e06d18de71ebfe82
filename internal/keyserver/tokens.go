package keyserver

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/internal/keyfile"
)

// minTokenLen refuses guessable tokens.
const minTokenLen = 32

// errNoTokens is ParseTokens' error for a file that lists no token, which
// AddToken accepts: it is about to add the first one.
var errNoTokens = errors.New("no tokens")

// Tokens maps bearer tokens to partner names. Only SHA-256 digests of the
// tokens are kept in memory.
type Tokens struct {
	byDigest map[[32]byte]string
}

// ParseTokens reads a tokens file: one "PARTNER TOKEN" pair per line;
// blank lines and lines starting with '#' are ignored. A partner may have
// several tokens (rotation); a token may not be listed twice. Errors name
// the line, never the token.
func ParseTokens(name string, data []byte) (*Tokens, error) {
	t := &Tokens{byDigest: map[[32]byte]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Fields(s)
		switch {
		case len(f) != 2:
			return nil, &base.InputError{File: name, Row: line, Reason: "want two fields: PARTNER TOKEN"}
		case !identity.ValidName(f[0]):
			return nil, &base.InputError{File: name, Row: line, Reason: "invalid partner name"}
		case len(f[1]) < minTokenLen:
			return nil, &base.InputError{File: name, Row: line, Reason: fmt.Sprintf("token shorter than %d characters", minTokenLen)}
		}
		d := sha256.Sum256([]byte(f[1]))
		if _, dup := t.byDigest[d]; dup {
			return nil, &base.InputError{File: name, Row: line, Reason: "token listed twice"}
		}
		t.byDigest[d] = f[0]
	}
	if err := sc.Err(); err != nil {
		return nil, base.Invalidf("%s: %v", name, err)
	}
	if len(t.byDigest) == 0 {
		return nil, base.Invalidf("%s: %w", name, errNoTokens)
	}
	return t, nil
}

// LoadTokens reads a tokens file, which must be 0600.
func LoadTokens(path string) (*Tokens, error) {
	data, err := keyfile.Read(path)
	if err != nil {
		return nil, err
	}
	return ParseTokens(path, data)
}

// Partner returns the partner a token belongs to.
func (t *Tokens) Partner(token string) (string, bool) {
	p, ok := t.byDigest[sha256.Sum256([]byte(token))]
	return p, ok
}

// Len is the number of tokens.
func (t *Tokens) Len() int { return len(t.byDigest) }

// AddToken appends a new token for partner to the tokens file at path
// (created 0600 if missing) and returns it.
func AddToken(path, partner string) (string, error) {
	if !identity.ValidName(partner) {
		return "", base.Usagef("invalid partner name %q", partner)
	}
	var old []byte
	if _, err := os.Stat(path); err == nil {
		if old, err = keyfile.Read(path); err != nil {
			return "", err
		}
		if _, err := ParseTokens(path, old); err != nil && !errors.Is(err, errNoTokens) {
			return "", err
		}
	}
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		old = append(old, '\n')
	}
	data := append(old, []byte(partner+" "+tok+"\n")...)
	if err := keyfile.Write(path, data, true); err != nil {
		return "", err
	}
	return tok, nil
}

// ReadToken reads a partner's bearer token from a 0600 file.
func ReadToken(path string) (string, error) {
	data, err := keyfile.Read(path)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(data))
	if len(tok) < minTokenLen || strings.ContainsAny(tok, " \t\r\n") {
		return "", base.Invalidf("token file %s: want one token of at least %d characters", path, minTokenLen)
	}
	return tok, nil
}
