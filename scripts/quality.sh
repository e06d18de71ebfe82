#!/usr/bin/env bash
# make quality: reproduce the linkage-quality figures of the README through
# the real binary, on the public data sets in ../shared/datasets, and print
# them in one table, one line per README row, with the README's figure
# beside each for comparison. The commands are those of docs/linkage.md §9
# and docs/audit.md; each step below names the README row it measures.
#
# One fresh secret per run (swd keygen): the figures move by a few pairs
# with the key (docs/linkage.md §8), which is the noise to expect against
# the README. Times are wall-clock seconds on whatever the machine is doing:
# quote them only from a quiet machine.
#
#   scripts/quality.sh [BIN]        BIN defaults to bin/swd
#   SWD_DATASETS=DIR scripts/quality.sh   another location of the data sets
set -euo pipefail
BIN=${1:-bin/swd}
DATA=${SWD_DATASETS:-../shared/datasets}
E=docs/examples

if [ ! -d "$DATA" ]; then
  echo "quality: $DATA is absent; skipping (the quality figures need the public data sets beside the clone, see README.md)"
  exit 0
fi
for f in febrl/dataset3.csv febrl/dataset4a.csv febrl/dataset4b.csv ncvoter-100k/df_A_100000.csv ncvoter-100k/df_B_100000.csv \
  ncvr-5party/ncvr_numrec_5000_modrec_2_ocp_20_myp_0_nump_5.csv; do
  if [ ! -f "$DATA/$f" ]; then
    echo "quality: $DATA/$f is missing: the data sets are incomplete" >&2
    exit 1
  fi
done

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
S=$BIN
"$S" keygen -q --out "$W/k"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
encode() { # schema partner in out
  "$S" encode -q --schema "$1" --secret "$W/k" --partner "$2" --in "$3" --out "$4"
}
# figures LEVEL EVAL-ARGS...: "P R F1 exact-cluster-F1" of swd eval's text
# table for persons or households.
figures() {
  local level=$1
  shift
  "$S" eval -q "$@" | awk -v l="$level" '
    $1 == l && $2 == "pairwise" { p = $3; r = $4; f = $5 }
    $1 == l && $2 == "exact"    { c = $6 }
    END { if (f == "") exit 1; print p, r, f, c }'
}
ROWS=()
row() { # name P R F1 cluster-F1 time readme
  ROWS+=("$(printf '%-44s %-7s %-7s %-7s %-10s %-22s %s' "$@")")
}

# README "FEBRL4, encoded, default settings": F1 0.9996
encode $E/febrl/schema.yaml a "$DATA/febrl/dataset4a.csv" "$W/f4a.parquet"
encode $E/febrl/schema.yaml b "$DATA/febrl/dataset4b.csv" "$W/f4b.parquet"
t0=$(now)
"$S" link -q --out "$W/f4.parquet" "$W/f4a.parquet" "$W/f4b.parquet"
t1=$(now)
read -r p r f c < <(figures person --links "$W/f4.parquet" --truth-format febrl)
row "FEBRL4 (4a x 4b)" "$p" "$r" "$f" "$c" "link $(secs "$t0" "$t1") s" "F1 0.9996"

# README "FEBRL3 de-duplication": F1 0.9992–1.0000
encode $E/febrl/schema.yaml d3 "$DATA/febrl/dataset3.csv" "$W/f3.parquet"
t0=$(now)
"$S" link -q --out "$W/f3l.parquet" "$W/f3.parquet"
t1=$(now)
read -r p r f c < <(figures person --links "$W/f3l.parquet" --truth-format febrl)
row "FEBRL3 de-duplication" "$p" "$r" "$f" "$c" "link $(secs "$t0" "$t1") s" "F1 0.9992-1.0000"

# README "NC voters 100k × 100k": P 0.9975, R 1.0000 (two secrets), encode + link 24 s,
# measured with --no-dedup (each file is taken as free of duplicates)
t0=$(now)
encode $E/ncvoter/schema.yaml A "$DATA/ncvoter-100k/df_A_100000.csv" "$W/ncA.parquet"
encode $E/ncvoter/schema.yaml B "$DATA/ncvoter-100k/df_B_100000.csv" "$W/ncB.parquet"
t1=$(now)
"$S" link -q --no-dedup --out "$W/nc.parquet" "$W/ncA.parquet" "$W/ncB.parquet"
t2=$(now)
read -r p r f c < <(figures person --links "$W/nc.parquet" --truth-format ncvoter)
row "NC voters 100k x 100k (link --no-dedup)" "$p" "$r" "$f" "$c" "$(secs "$t0" "$t1") + $(secs "$t1" "$t2") = $(secs "$t0" "$t2") s" "P 0.9975, R 1.0000, 24 s"

# README "NCVR 5 parties, 20% corrupted": P 0.9932–0.9938, cluster F1 0.9825–0.9843
for i in 0 1 2 3 4; do
  encode $E/ncvr/schema.yaml p$i "$DATA/ncvr-5party/ncvr_numrec_5000_modrec_2_ocp_20_myp_${i}_nump_5.csv" "$W/ncvr$i.parquet"
done
t0=$(now)
"$S" link -q --out "$W/ncvr.parquet" "$W"/ncvr[0-4].parquet
t1=$(now)
read -r p r f c < <(figures person --links "$W/ncvr.parquet" --truth-format ncvr)
row "NCVR 5 parties, 20% corrupted" "$p" "$r" "$f" "$c" "link $(secs "$t0" "$t1") s" "P 0.993-0.994, cl 0.9825-0.9843"

# README "synthetic district, 20k households, 5 partners": persons F1
# 0.9960, households F1 0.9934
"$S" synth -q --households 20000 --seed 11 --corruption medium --out "$W/sy"
for p in comune ulss6 caritas acli cgil; do
  encode $E/synth/schema.yaml $p "$W/sy/$p.csv" "$W/sy_$p.parquet"
done
t0=$(now)
"$S" link -q --out "$W/sy.parquet" "$W"/sy_*.parquet
t1=$(now)
read -r p r f c < <(figures person --links "$W/sy.parquet" --truth "$W/sy/truth.csv")
row "synth 20k households, 5 partners: persons" "$p" "$r" "$f" "$c" "link $(secs "$t0" "$t1") s" "persons F1 0.9960"
read -r p r f c < <(figures household --links "$W/sy.parquet" --truth "$W/sy/truth.csv")
row "  same, households" "$p" "$r" "$f" "$c" "" "households F1 0.9934"

# README "re-identification by the audit's six attacks": worst 0.58%,
# frequency alone 0.30% (docs/audit.md: the audit of file a with dataset4b as the public
# list)
"$S" audit -q "$W/f4a.parquet" --export "$DATA/febrl/dataset4a.csv" --public "$DATA/febrl/dataset4b.csv" >"$W/audit.txt"
share=$(awk '/^records with at least one name recovered:/ { print $8 }' "$W/audit.txt")
worst=$(awk '/^worst:/ { print $2 }' "$W/audit.txt")

printf '%-44s %-7s %-7s %-7s %-10s %-22s %s\n' "data set" P R F1 "cluster F1" "time" "README"
printf '%s\n' "${ROWS[@]}"
printf '%-44s %s%-50s %s\n' "FEBRL4 audit: records with a name recovered" "$share" "" "0.30%"
printf '%-44s %s%-50s %s\n' "FEBRL4 audit: worst of the six attacks" "$worst" "" "0.58%"
