#!/usr/bin/env bash
# Behaviour check for refactors: run `edgelab main` at two points and diff every
# output it writes. Ledgers (trades.csv, trades.jsonl) must be byte-identical;
# JSON (summary.json) must be identical once the fields that are not a function of
# data + rules are set aside: createdAt (wall clock), edgelabVersion, and the
# folder of the data file (it names the checkout that ran).
#
#   scripts/compare-ledgers.sh A [B]
#
# A and B are each a git revision (built in a temporary worktree) or a folder
# already holding `edgelab main --out` output (e.g. /work/baseline-main).
# B defaults to the working tree of this checkout ('.'), built in place.
# With WITH_COMPARE_EXITS=1 (revisions only) the policy ledgers of three
# `edgelab compare-exits` runs are compared too. Every file is compared:
# ledgers (CSV, JSONL) byte for byte, JSON after setting those fields aside.
# Exit 0 when everything is identical, 1 when something differs (each
# difference is listed), 2 on bad usage.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
a=${1:-}
b=${2:-.}
if [[ -z "$a" ]]; then
  echo "usage: scripts/compare-ledgers.sh <rev|folder> [<rev|folder>|.]" >&2
  exit 2
fi
work=$(mktemp -d /tmp/compare-ledgers.XXXXXX)
cleanup() {
  for wt in "$work"/wt-*; do
    [[ -d "$wt" ]] && git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Echo the folder holding `edgelab main` output for one side.
outputs_of() {
  local side=$1 tag=$2
  if [[ -d "$side" && "$side" != "." ]]; then
    echo "$side"
    return
  fi
  local src
  if [[ "$side" == "." ]]; then
    src=$repo
  else
    git -C "$repo" rev-parse --verify --quiet "$side^{commit}" >/dev/null || { echo "compare-ledgers: '$side' is neither a folder nor a git revision" >&2; exit 2; }
    src=$work/wt-$tag
    git -C "$repo" worktree add --detach "$src" "$side" >/dev/null 2>&1
    ln -s "$repo/node_modules" "$src/node_modules"
  fi
  echo "compare-ledgers: building and running edgelab main at $side" >&2
  (
    cd "$src" && npm run --silent build >&2
    node bin/edgelab.js main --out "$work/out-$tag" >"$work/stdout-$tag.txt"
    if [[ -n "${WITH_COMPARE_EXITS:-}" ]]; then
      # compare-exits replays entries under other exits: every policy's ledger, on ticks, on bars and from a trade log.
      local ticks=data/tardis-binance-futures-btcusdt-trades-2020-02-22.csv all=V1,V2,V3,V4,V5,V6,V7,V8 o=$work/out-$tag/compare-exits
      node bin/edgelab.js compare-exits --quiet --data $ticks --strategies $all --ratios 1:1,3:1,2 --pairs 0.3/0.9 --out $o/ticks 2>/dev/null
      node bin/edgelab.js compare-exits --quiet --data data/BTC_USDT-5m.feather --strategies $all --max-hold-ms 3600000 --out $o/bars 2>/dev/null
      node bin/edgelab.js compare-exits --quiet --data $ticks --entries test/fixtures/compare-exits/trade-log.csv --out $o/log 2>/dev/null
    fi
  ) || { echo "compare-ledgers: running $side failed" >&2; exit 2; }
  echo "$work/out-$tag"
}

da=$(outputs_of "$a" a)
db=$(outputs_of "$b" b)

status=0
files=0
# The data file's absolute path names the checkout it ran in: compare base names only.
strip='const o=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));delete o.createdAt;delete o.edgelabVersion;process.stdout.write(JSON.stringify(o,(k,v)=>k==="file"&&typeof v==="string"?require("path").basename(v):v,1))'
while IFS= read -r f; do
  files=$((files + 1))
  if [[ ! -f "$db/$f" ]]; then
    echo "MISSING  $f in $b"; status=1
  elif [[ "$f" == *.json ]]; then
    if cmp -s <(node -e "$strip" "$da/$f") <(node -e "$strip" "$db/$f"); then
      echo "same     $f (createdAt, edgelabVersion, data folder set aside)"
    else
      echo "DIFFERS  $f"; status=1
    fi
  elif cmp -s "$da/$f" "$db/$f"; then
    echo "same     $f ($(wc -l <"$da/$f") lines)"
  else
    echo "DIFFERS  $f ($(diff "$da/$f" "$db/$f" | grep -c '^[<>]') lines)"; status=1
  fi
done < <(cd "$da" && find . -type f -not -name '*.txt' | sed 's#^\./##' | sort)
while IFS= read -r f; do
  [[ -f "$da/$f" ]] || { echo "EXTRA    $f only in $b"; status=1; }
done < <(cd "$db" && find . -type f -not -name '*.txt' | sed 's#^\./##' | sort)
if [[ $files -eq 0 ]]; then echo "compare-ledgers: no outputs found in $da" >&2; exit 2; fi
[[ $status -eq 0 ]] && echo "compare-ledgers: all $files files identical" || echo "compare-ledgers: differences found"
exit $status
