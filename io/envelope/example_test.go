package envelope_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/envelope"
)

func Example() {
	partner, _ := identity.Generate("caritas", nil)
	linker, _ := identity.Generate("linker", nil)

	// At the partner: seal to the linkage unit, sign as the partner.
	var sealed bytes.Buffer
	err := envelope.Seal(&sealed, strings.NewReader("encoded file bytes"), linker.Public, partner,
		envelope.Header{ContentType: envelope.ContentEncoded, Partner: "caritas"})
	if err != nil {
		panic(err)
	}

	// At the linkage unit: open with its key, trusting the partner's .pub.
	var opened bytes.Buffer
	h, err := envelope.Open(&opened, &sealed, linker, identity.NewKeyring(partner.Public))
	if err != nil {
		panic(err)
	}
	fmt.Println(h.SenderName, h.ContentType)
	fmt.Println(opened.String())
	// Output:
	// caritas application/vnd.swd.encoded+parquet
	// encoded file bytes
}
