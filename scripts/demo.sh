#!/usr/bin/env bash
# make demo: the whole swd pipeline on built-in synthetic data.
# synth (5 partners' exports) → keygen → encode (at each partner) → district
# file → link → eval against the synthetic truth → publish DP tables with a
# budget ledger → two months through the linkage state, and their flows.
set -euo pipefail
BIN=${1:-bin/swd}
OUT=${2:-demo-out}
HOUSEHOLDS=${HOUSEHOLDS:-3000}
PARTNERS=comune,ulss6,caritas,acli,cgil

rm -rf "$OUT"
mkdir -p "$OUT/exports" "$OUT/encoded" "$OUT/release"
step() { printf '\n== %s\n' "$*"; }

step "1. synthetic exports of $HOUSEHOLDS households at 5 partners (swd synth)"
"$BIN" synth --households "$HOUSEHOLDS" --partners "$PARTNERS" --seed 7 --corruption medium --out "$OUT/exports"

step "2. the partners' shared linkage secret (swd keygen; the linkage unit never sees it)"
"$BIN" keygen --out "$OUT/secret.key"

step "3. each partner encodes its export (swd encode)"
for p in ${PARTNERS//,/ }; do
  "$BIN" encode --schema docs/examples/synth/schema.yaml --secret "$OUT/secret.key" --partner "$p" \
    --in "$OUT/exports/$p.csv" --out "$OUT/encoded/$p.swd.parquet"
done

step "4. the linkage unit describes its district (swd district init: partners, roles, territory) and links the encodings (swd link)"
"$BIN" district init --out "$OUT/district.yaml"
"$BIN" district check "$OUT/district.yaml"
"$BIN" link --district "$OUT/district.yaml" --out "$OUT/links.parquet" --report "$OUT/linkage-report.html" "$OUT"/encoded/*.swd.parquet

step "5. linkage quality against the synthetic truth (swd eval)"
"$BIN" eval --links "$OUT/links.parquet" --truth "$OUT/exports/truth.csv"

step "6. differentially private tables (swd publish, ε=1 from a budget of 3, in a ledger signed by the linkage unit)"
"$BIN" keys new --out "$OUT/unit" >/dev/null
"$BIN" budget init --ledger "$OUT/ledger.jsonl" --total 3 --key "$OUT/unit.key"
"$BIN" publish --district "$OUT/district.yaml" --links "$OUT/links.parquet" --epsilon 1 --ledger "$OUT/ledger.jsonl" --key "$OUT/unit.key" \
  --out "$OUT/release" "$OUT"/encoded/*.swd.parquet
"$BIN" budget show --ledger "$OUT/ledger.jsonl"
"$BIN" budget verify --ledger "$OUT/ledger.jsonl" --key "$OUT/unit.pub" --release "$OUT/release"

step "7. two months: the linkage state keeps person and household ids; the next month links only what changed, and publishes the flows (swd link --state, swd publish --state)"
"$BIN" synth --months 2 --households 1000 --partners "$PARTNERS" --seed 7 --corruption medium --out "$OUT/months" >/dev/null
for m in 2026-01 2026-02; do
  mkdir -p "$OUT/months/$m/encoded"
  for p in ${PARTNERS//,/ }; do
    "$BIN" encode -q --schema docs/examples/synth/schema.yaml --secret "$OUT/secret.key" --partner "$p" \
      --in "$OUT/months/$m/$p.csv" --out "$OUT/months/$m/encoded/$p.swd.parquet"
  done
  "$BIN" link --district "$OUT/district.yaml" --state "$OUT/state" --period "$m" --out "$OUT/months/links-$m.parquet" \
    "$OUT/months/$m"/encoded/*.swd.parquet
done
"$BIN" state show --state "$OUT/state"
"$BIN" publish --district "$OUT/district.yaml" --state "$OUT/state" --epsilon 1 --ledger "$OUT/ledger.jsonl" --key "$OUT/unit.key" \
  --out "$OUT/release-2026-02"

cat <<MSG

Done. Results:
  partner exports (synthetic)   $OUT/exports/
  district file (roles)         $OUT/district.yaml
  encodings (what partners send) $OUT/encoded/
  links                         $OUT/links.parquet
  linkage report                $OUT/linkage-report.html
  DP release (tables, metadata) $OUT/release/
  DP report for readers         $OUT/release/report.html
  privacy budget ledger         $OUT/ledger.jsonl (+ ledger.jsonl.head)
  linkage state (two months)    $OUT/state/ (swd state show|history)
  February's release with flows $OUT/release-2026-02/
MSG
