package main

import (
	"context"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// profiles writes the CPU and heap profiles asked for with --cpuprofile and
// --memprofile. On Prism the workers run in this process, so the profiles
// cover the whole pipeline.
type profiles struct {
	cpu  *os.File
	stop context.CancelFunc
	done chan struct{}
}

// startProfiles starts the CPU profile, and a sampler that rewrites the
// heap profile each time the live heap grows past 1.1× the one last
// written, so the file holds the heap near its peak.
func startProfiles(cpuPath, memPath string) (*profiles, error) {
	p := &profiles{}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		p.cpu = f
	}
	if memPath != "" {
		ctx, cancel := context.WithCancel(context.Background())
		p.stop, p.done = cancel, make(chan struct{})
		go func() {
			defer close(p.done)
			sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			var written uint64
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				metrics.Read(sample)
				live := sample[0].Value.Uint64()
				if live <= written+written/10 {
					continue
				}
				if writeHeap(memPath) == nil {
					written = live
				}
			}
		}()
	}
	return p, nil
}

func writeHeap(path string) error {
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// Stop ends the profiles.
func (p *profiles) Stop() {
	if p.cpu != nil {
		pprof.StopCPUProfile()
		_ = p.cpu.Close()
	}
	if p.stop != nil {
		p.stop()
		<-p.done
	}
}
