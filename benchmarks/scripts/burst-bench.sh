#!/usr/bin/env bash
# The worker's receive burst (packets taken from a queue per poll) against throughput: one worker
# forwarding 64- and 1414-byte frames, and ESP AES-GCM-128 encrypt and decrypt of 1400-byte
# packets, for each burst. Rounds interleave the bursts so a noisy neighbour on the host hits them
# alike; the best round per burst and workload is printed.
# Usage: benchmarks/scripts/burst-bench.sh [ROUNDS ["BURSTS"]]   (default 3 rounds, "8 16 32 64")
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rounds=${1:-3}
bursts=${2:-8 16 32 64}
batch=$(mktemp --suffix .batch)
data=$(mktemp -d)
trap 'rm -rf "$batch" "$data"' EXIT
cat > "$batch" <<B
bench size 1414 workers 1 seconds 2
bench esp aes-128-gcm encrypt size 1414 workers 1 seconds 2
bench esp aes-128-gcm decrypt size 1414 workers 1 seconds 2
bench -j size 64 workers 1 seconds 4
bench -j size 1414 workers 1 seconds 4
bench -j esp aes-128-gcm encrypt size 1414 workers 1 seconds 4
bench -j esp aes-128-gcm decrypt size 1414 workers 1 seconds 4
B
"$top/netfence" --data "$data" -c "help" >/dev/null # builds first if needed
declare -A best
for ((r = 0; r < rounds; r++)); do
  for b in $bursts; do
    rm -rf "$data"/*
    mapfile -t lines < <(JDK_JAVA_OPTIONS="-Dnetfence.burst=$b" "$top/netfence" --data "$data" -b "$batch" 2>/dev/null | grep '^{')
    for i in 0 1 2 3; do
      m=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["total"]["mpps"])' "${lines[$i]}")
      best[$b,$i]=$(awk -v a="${best[$b,$i]:-0}" -v m="$m" 'BEGIN { print (m > a ? m : a) }')
    done
  done
done
printf '%-6s %12s %12s %16s %16s\n' BURST 64B_MPPS 1414B_MPPS ESP1400_ENC_MPPS ESP1400_DEC_MPPS
for b in $bursts; do
  printf '%-6s %12.2f %12.2f %16.3f %16.3f\n' "$b" "${best[$b,0]}" "${best[$b,1]}" "${best[$b,2]}" "${best[$b,3]}"
done
echo "(one worker; best of $rounds interleaved rounds; burst set with -Dnetfence.burst)"
