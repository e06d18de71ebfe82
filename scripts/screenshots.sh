#!/usr/bin/env bash
# make screenshots: the two reports of `make demo` (the DP release's
# report.html and the linkage report) rendered by headless Chromium into
# docs/img/, cut to the parts docs/ shows:
#   docs/img/publish-report.png  households by district × need (one scale for
#                                every district's chart, the "district unknown"
#                                chart) and households by district
#   docs/img/linkage-report.png  the summary, partners, partner pairs and the
#                                match-weight histogram
# The cut rows fit the demo's data (its layout does not depend on the noise);
# look at the images after a change to the reports.
set -euo pipefail
DEMO=${1:-demo-out}
IMG=${2:-docs/img}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$CHROMIUM" ]; then
  echo "screenshots: no Chromium found (set CHROMIUM=/path/to/chromium)" >&2
  exit 1
fi
for f in "$DEMO/release/report.html" "$DEMO/linkage-report.html"; do
  [ -f "$f" ] || { echo "screenshots: $f missing: run make demo first" >&2; exit 1; }
done
mkdir -p "$IMG"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shot HTML PNG: the page in a 1200-pixel-wide window taller than the page
shot() {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --hide-scrollbars --window-size=1200,9000 \
    --screenshot="$2" "file://$(realpath "$1")" >/dev/null 2>&1
}
shot "$DEMO/release/report.html" "$tmp/publish.png"
shot "$DEMO/linkage-report.html" "$tmp/linkage.png"
go run scripts/pngtrim.go "$tmp/publish.png" "$IMG/publish-report.png" 1620 4420
go run scripts/pngtrim.go "$tmp/linkage.png" "$IMG/linkage-report.png" 0 1530
