#!/bin/sh
# split-rates.sh SWD OUT HOUSEHOLDS CORRUPTION [SEED]
#
# How often the linkage splits or merges true households — the unit of
# privacy of swd publish is the linked household (docs/dp.md). Synthetic
# exports of 5 partners with ground truth (swd synth), encoded with the
# example schema, linked (swd link prints the model's estimated split and
# merge rates), then evaluated against the truth (swd eval prints the true
# ones). Everything is written under OUT (removed first).
set -eu
BIN=$1; OUT=$2; N=$3; C=$4; SEED=${5:-7}
PARTNERS="acli caritas cgil comune ulss6"
rm -rf "$OUT"; mkdir -p "$OUT/encoded"
"$BIN" -q synth --households "$N" --partners "$(echo $PARTNERS | tr ' ' ,)" --seed "$SEED" --corruption "$C" --out "$OUT/exports"
"$BIN" -q keygen --out "$OUT/secret.key"
for p in $PARTNERS; do
  "$BIN" -q encode --schema docs/examples/synth/schema.yaml --secret "$OUT/secret.key" --partner "$p" \
    --in "$OUT/exports/$p.csv" --out "$OUT/encoded/$p.swd.parquet"
done
"$BIN" link --out "$OUT/links.parquet" --report "$OUT/linkage-report.html" "$OUT"/encoded/*.swd.parquet 2>/dev/null | grep -v '^links:\|^report:'
"$BIN" eval --links "$OUT/links.parquet" --truth "$OUT/exports/truth.csv" 2>/dev/null | tail -2
