// Package state keeps a district's linkage state on disk between monthly
// runs, and runs the steps over it: swd link --state (Link), swd state
// show, history and erase (Show, History, Erase).
//
// A state directory holds a manifest, MANIFEST.json, and one generation
// directory of files it names, each with its size and SHA-256:
//
//	records.parquet        every record ever seen and not erased (incremental.Record)
//	edges.parquet          the accepted links between open records (incremental.Edge)
//	events.parquet         the events of the first period, or of every period up to an erasure (incremental.Event)
//	events-YYYY-MM.parquet the events of each later period, carried unchanged (hard-linked) from generation to generation
//	households.parquet     the last period's households: district, known to a public service (Household)
//	flows.parquet          every period's flows per household: new, closed, intercepted (Flow)
//	model.json             the Fellegi–Sunter model
//	priors.parquet         the prior of each pair of partners, from the model's fit (linkage.PairPrior)
//	enc-NN.swd.parquet     each partner's current encodings (an encoded file)
//
// A run writes a new generation directory, syncs it, then replaces the
// manifest atomically (temporary file, fsync, rename, directory sync), and
// only then removes the previous generation: a run killed at any point
// leaves the manifest naming a complete, checked generation. Open checks
// every file against the manifest and refuses a state that does not match
// it. The manifest is versioned (ManifestVersion), records the schema
// fingerprint and key check value of the encodings, so a run with files
// encoded under another schema or secret is refused, and keeps a log of the
// runs and erasures that names no person (counts only).
//
// The state holds what the links file and the encoded files hold already
// (partner names, record ids, pseudonymous person and household ids,
// probabilities, encodings, attributes) and no identifying value.
package state
