package main

import (
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/pipeline"
)

// SealOptions are the flags for reading sealed inputs.
type SealOptions struct {
	Key   string // this party's private key
	Trust string // directory of the partners' public keys
}

// AddFlags binds the flags for sealed inputs.
func (o *SealOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Key, "key", "", "this linkage unit's private key, to open sealed inputs")
	fs.StringVar(&o.Trust, "trust", "", "directory of the partners' public keys (*.pub): every sealed input must be signed by its partner")
}

func (o *SealOptions) config() pipeline.OpenConfig {
	return pipeline.OpenConfig{Key: o.Key, Trust: o.Trust}
}
