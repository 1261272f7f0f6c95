#!/usr/bin/env bash
# Image sizes per base and layer set, in every format claw writes. Each profile runs the static
# wordcount agent, so the numbers are the base and layers plus ~60 KiB of agent.
#   bench/image_sizes.sh            (after scripts/setup; resolves against the host's Debian
#                                    mirror and leaves the profiles, locks and images in a
#                                    temporary folder it removes)
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s -C "$repo/examples"
profiles=("none:" "base:" "base+net+json:net, json" "base+python:python"
  "base+python+json:python, json")

printf '| image | entries | content | initramfs | ext4 | erofs | oci (gzip) |\n'
printf '|---|---|---|---|---|---|---|\n'
for entry in "${profiles[@]}"; do
  name=${entry%%:*}
  layers=${entry#*:}
  agent="$work/${name//+/-}"
  mkdir -p "$agent"
  cp "$repo/examples/wordcount/wordcount" "$agent/"
  base=debian-12
  [ "$name" = none ] && base=none
  {
    echo "name: sizes"
    echo "base: $base"
    [ -n "$layers" ] && echo "layers: [$layers]"
    echo "files: [{from: wordcount, to: /app/wordcount}]"
    echo "run: {command: [/app/wordcount]}"
  } >"$agent/claw.yaml"

  total=$("$repo/claw" build --explain "$agent" -o "$agent/image.cpio" | grep '^total:')
  sizes=()
  for format in initramfs ext4 erofs; do
    out="$agent/image.$format"
    "$repo/claw" build --format "$format" "$agent" -o "$out" >/dev/null
    sizes+=("$(numfmt --to=iec-i --suffix=B "$(stat -c %s "$out")")")
  done
  "$repo/claw" build --format oci "$agent" -o "$agent/oci" >/dev/null
  sizes+=("$(du -sb "$agent/oci" | cut -f1 | numfmt --to=iec-i --suffix=B)")
  entries=$(sed -E 's/total: ([0-9]+) entries, (.*)/\1/' <<<"$total")
  content=$(sed -E 's/total: ([0-9]+) entries, (.*)/\2/' <<<"$total")
  printf '| %s | %s | %s | %s |\n' "$name" "$entries" "$content" "$(IFS='|'; echo "${sizes[*]}" \
    | sed 's/|/ | /g')"
done
