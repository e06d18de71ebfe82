package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/io/identity"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/pipeline"
)

// The partners split their linkage secret among three key custodians, any
// two of whom can recover it (swd secret share --shamir 2, secret open,
// secret combine).
func ExampleShareSecret() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "swd-example-")
	defer os.RemoveAll(dir)

	secret, _ := encoding.GenerateSecret()
	secretFile := filepath.Join(dir, "linkage.secret")
	if err := pipeline.WriteSecret(secretFile, secret, false); err != nil {
		fmt.Println(err)
		return
	}
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(os.Mkdir(filepath.Join(dir, "trust"), 0o755))
	sender, err := identity.Generate("comune", nil)
	must(err)
	senderKey, _, err := identity.WritePair(filepath.Join(dir, "trust", "comune"), sender, false)
	must(err)
	var pubs, keys []string
	for _, name := range []string{"alice", "bruno", "carla"} {
		k, err := identity.Generate(name, nil)
		must(err)
		key, pub, err := identity.WritePair(filepath.Join(dir, name), k, false)
		must(err)
		keys, pubs = append(keys, key), append(pubs, pub)
	}

	sealed, err := pipeline.ShareSecret(ctx, pipeline.ShareConfig{Secret: secretFile, SignWith: senderKey,
		To: pubs, Threshold: 2, Out: filepath.Join(dir, "shares")})
	must(err)
	for _, s := range sealed {
		fmt.Println(s.Recipient, filepath.Base(s.File))
	}

	// Alice and Carla each open their own share; either may combine them.
	var opened []string
	for _, i := range []int{0, 2} {
		o, err := pipeline.OpenSecret(ctx, pipeline.OpenSecretConfig{Key: keys[i], Trust: filepath.Join(dir, "trust"),
			In: sealed[i].File, Out: filepath.Join(dir, sealed[i].Recipient+".share")})
		must(err)
		fmt.Println(o.Kind(), "signed by", o.Sender)
		opened = append(opened, o.File)
	}
	recovered := filepath.Join(dir, "recovered.secret")
	n, err := pipeline.CombineSecret(ctx, pipeline.CombineConfig{Shares: opened, Out: recovered})
	must(err)
	got, err := pipeline.ReadSecret(recovered)
	must(err)
	fmt.Println("combined", n, "shares; same secret:", got == secret)
	// Output:
	// alice alice.share.swdenv
	// bruno bruno.share.swdenv
	// carla carla.share.swdenv
	// share 1 of 3 (any 2 recover the secret) signed by comune
	// share 3 of 3 (any 2 recover the secret) signed by comune
	// combined 2 shares; same secret: true
}
