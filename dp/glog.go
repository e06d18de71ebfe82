package dp

import (
	"flag"
	"sync"
)

var glogOnce sync.Once

// quietGlog routes the logs of github.com/google/differential-privacy, which
// go through glog, to stderr. Left alone, glog writes log files into $TMPDIR
// on the first warning; a tool that handles welfare data must not leave
// files behind. Every entry point of this package calls it.
func quietGlog() {
	glogOnce.Do(func() {
		// glog registers its flags on flag.CommandLine in its init; the dp
		// library imports glog, so the flags exist by now.
		if f := flag.Lookup("logtostderr"); f != nil {
			_ = f.Value.Set("true")
		}
		if f := flag.Lookup("stderrthreshold"); f != nil {
			_ = f.Value.Set("ERROR")
		}
	})
}
