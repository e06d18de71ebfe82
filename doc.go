// Package swd is the root of the swd module: privacy-preserving record
// linkage and differentially private statistics for the partners of a
// welfare district.
//
// The work is done by the packages below it:
//
//   - linkage/... normalises and encodes identifiers into keyed Bloom
//     filters (linkage/encoding), and links encoded files into persons and
//     households (linkage.Link; blocking, model, cluster, eval);
//   - dp publishes household counts as differentially private tables and
//     keeps the privacy-budget ledger;
//   - taxonomy holds the canonical needs, the territories and the partners'
//     code maps;
//   - io/... reads and writes the files: partner exports (io/table), encoded
//     files (io/encfile), links files (io/linksfile), sealed files
//     (io/envelope);
//   - pipeline runs the steps of the swd command as a library, from files
//     to files: Encode, Link, Publish, Audit.
//
// This package holds what all of them share: the error categories. Every
// error the library returns that a caller may want to tell apart carries
// one of the marks below, so a program tests it with errors.Is, whatever
// the error's message or wrapping:
//
//	if errors.Is(err, swd.ErrInvalidInput) { … }  // the data, not the program, is at fault
//	var ie *swd.InputError
//	if errors.As(err, &ie) { … }                   // file, row and column of a bad cell
//
// The command-line tool cmd/swd maps the same marks to its exit codes.
package swd
