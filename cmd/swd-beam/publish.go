package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/welfare-district/swd/internal/base"
)

func runPublish(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	return base.Usagef("publish: not yet")
}
