#!/usr/bin/env bash
# ESP on one worker against `openssl speed -evp` at one packet size, as PAIRS of measurements
# taken moments apart: each pair measures OpenSSL, then the appliance (a fresh JVM: warm-up, then
# encrypt and decrypt, `bench esp SUITE DIR size N workers 1`), then OpenSSL again; the pair's
# reference is the mean of its two OpenSSL figures. The ratios of all pairs are printed with their
# median. On a host whose load moves by a third from one minute to the next, the median of paired
# ratios is steadier than comparing each side's best run (esp-bench-vs-openssl.sh).
# Usage: benchmarks/scripts/esp-paired-vs-openssl.sh [SUITE [SIZE [PAIRS [SECONDS]]]]
#        (default aes-128-gcm, 1400-byte inner packets, 7 pairs, 3 seconds per measurement)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
suite=${1:-aes-128-gcm}
size=${2:-1400}
pairs=${3:-7}
secs=${4:-3}
case $suite in
  aes-128-gcm|aes-256-gcm|chacha20-poly1305) ;;
  *) echo "esp-paired-vs-openssl.sh: suite $suite: expected aes-128-gcm, aes-256-gcm or chacha20-poly1305" >&2; exit 2 ;;
esac
for v in "$size" "$pairs" "$secs"; do
  case $v in ''|*[!0-9]*) echo "esp-paired-vs-openssl.sh: \"$v\": expected a whole number (size, pairs, seconds)" >&2; exit 2 ;; esac
done
batch=$(mktemp --suffix .batch)
data=$(mktemp -d)
trap 'rm -rf "$batch" "$data"' EXIT
frame=$((size + 14))
cat > "$batch" <<B
bench esp $suite encrypt size $frame workers 1 seconds 2
bench esp $suite decrypt size $frame workers 1 seconds 2
bench -j esp $suite encrypt size $frame workers 1 seconds $secs
bench -j esp $suite decrypt size $frame workers 1 seconds $secs
B
. "$top/benchmarks/scripts/openssl-speed.sh"
ossl_rate() { # -> bytes per second
  openssl_speed_bytes "$secs" "$size" -evp "$suite"
}
"$top/netfence" --data "$data" -c "help" >/dev/null # builds first if needed
printf '%-5s %14s %14s %14s %9s %9s\n' PAIR OPENSSL_MB/s ENCRYPT_MB/s DECRYPT_MB/s ENC_RATIO DEC_RATIO
ratios=""
for ((i = 1; i <= pairs; i++)); do
  before=$(ossl_rate)
  rm -rf "${data:?}"/*
  mapfile -t lines < <("$top/netfence" --data "$data" -b "$batch" 2>/dev/null | grep '^{')
  after=$(ossl_rate)
  read -r enc dec < <(python3 -c 'import json,sys; print(*(json.loads(a)["esp"]["inner_bytes_per_second"] for a in sys.argv[1:3]))' "${lines[@]}")
  line=$(awk -v b="$before" -v a="$after" -v e="$enc" -v d="$dec" -v i="$i" 'BEGIN { o = (a + b) / 2;
    printf "%-5d %14.1f %14.1f %14.1f %8.2fx %8.2fx", i, o / 1e6, e / 1e6, d / 1e6, e / o, d / o }')
  echo "$line"
  ratios+="$(awk '{ sub(/x$/, "", $5); sub(/x$/, "", $6); print $5, $6 }' <<<"$line")"$'\n'
done
python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
enc = [r[0] for r in rows]; dec = [r[1] for r in rows]
print("median        encrypt %.2fx (%.2f-%.2f)   decrypt %.2fx (%.2f-%.2f)" % (statistics.median(enc), min(enc), max(enc), statistics.median(dec), min(dec), max(dec)))
' <<<"$ratios"
echo "(one worker, $suite, ${size}-byte inner packets; each pair: openssl speed -evp, the appliance, openssl again; reference = their mean)"
