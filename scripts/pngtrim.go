//go:build ignore

// pngtrim cuts the blank bottom off a screenshot that headless Chromium
// took in a window taller than the page, and optionally keeps only rows
// FROM to TO: go run scripts/pngtrim.go IN.png OUT.png [FROM TO].
// scripts/screenshots.sh uses it.
package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"strconv"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pngtrim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 && len(args) != 4 {
		return fmt.Errorf("usage: pngtrim IN.png OUT.png [FROM TO]")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return err
	}
	b := img.Bounds()
	bottom := b.Max.Y
	for bottom > b.Min.Y && blankRow(img, bottom-1) {
		bottom--
	}
	top := b.Min.Y
	if len(args) == 4 {
		from, err1 := strconv.Atoi(args[2])
		to, err2 := strconv.Atoi(args[3])
		if err1 != nil || err2 != nil || from < 0 || to <= from {
			return fmt.Errorf("bad rows %q %q", args[2], args[3])
		}
		top, bottom = max(top, from), min(bottom, to)
		if top >= bottom {
			return fmt.Errorf("rows %d to %d: the page ends at row %d", from, to, bottom)
		}
	}
	bottom = min(bottom+16, b.Max.Y) // a margin below the last content
	sub := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(b.Min.X, top, b.Max.X, bottom))
	out, err := os.Create(args[1])
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(out, sub); err != nil {
		out.Close()
		return err
	}
	fmt.Printf("%s: %d×%d\n", args[1], b.Dx(), bottom-top)
	return out.Close()
}

// blankRow reports whether row y is all white (the page background).
func blankRow(img image.Image, y int) bool {
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		r, g, bl, _ := img.At(x, y).RGBA()
		if r < 0xf800 || g < 0xf800 || bl < 0xf800 {
			return false
		}
	}
	return true
}
