package identity_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/io/envelope"
	"github.com/welfare-district/swd/io/identity"
)

// A partner seals a file to the linkage unit's public key and signs it; the
// linkage unit opens it with its private key, trusting the partner's public
// key. This is what swd keys new, swd seal and swd link --key --trust do.
func Example() {
	dir, err := os.MkdirTemp("", "identity-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	unit, err := identity.Generate("unit", nil)
	if err != nil {
		log.Fatal(err)
	}
	caritas, err := identity.Generate("caritas", nil)
	if err != nil {
		log.Fatal(err)
	}
	unitKey, unitPub, err := identity.WritePair(filepath.Join(dir, "unit"), unit, false)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "trust"), 0o755); err != nil {
		log.Fatal(err)
	}
	if _, _, err := identity.WritePair(filepath.Join(dir, "trust", "caritas"), caritas, false); err != nil {
		log.Fatal(err)
	}

	// At the partner: only the unit's public key is needed.
	to, err := identity.LoadPublic(unitPub)
	if err != nil {
		log.Fatal(err)
	}
	var sealed bytes.Buffer
	if err := envelope.Seal(&sealed, bytes.NewReader([]byte("encoded records")), to, caritas, envelope.Header{}); err != nil {
		log.Fatal(err)
	}

	// At the linkage unit.
	me, err := identity.LoadPrivate(unitKey)
	if err != nil {
		log.Fatal(err)
	}
	trust, err := identity.LoadKeyring(filepath.Join(dir, "trust"))
	if err != nil {
		log.Fatal(err)
	}
	var opened bytes.Buffer
	if _, err := envelope.Open(&opened, &sealed, me, trust); err != nil {
		log.Fatal(err)
	}
	fmt.Println(opened.String())
	fmt.Println("trusted keys:", trust.Len())
	// Output:
	// encoded records
	// trusted keys: 1
}
