#!/usr/bin/env bash
# Netfence's ESP against OpenSSL on this machine, in one run: a JMH benchmark and `openssl speed
# -evp` for the same algorithms and sizes. Prints one line per (suite, size, engine, operation):
# bytes/s of each, and the ratio.
#   CryptoBench    (default) one ESP payload sealed per operation, per engine: the crypto alone
#   XfrmPathBench  the IPsec layer of the packet path per packet: dissect, policy, SA, ESP tunnel
#                  encapsulation ("encrypt") or SA by SPI, replay, ICV, trailer ("decrypt")
# Usage: benchmarks/scripts/crypto-vs-openssl.sh [SECONDS_PER_OPENSSL_RUN [BENCHMARK [JMH_ARGS...]]]
#   e.g. crypto-vs-openssl.sh 2 XfrmPathBench -p engine=openssl
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-2}
bench=${2:-CryptoBench}
shift $(( $# > 2 ? 2 : $# ))
. "$top/bin/jdk25.sh"
netfence_find_jdk25
cd "$top"
./mvnw -q -B -ntp -DskipTests package -pl benchmarks -am
json=$(mktemp --suffix .json)
trap 'rm -f "$json"' EXIT
"$JAVA_HOME/bin/java" -jar benchmarks/target/benchmarks.jar "$bench" "$@" -rf json -rff "$json" >/dev/null

# OpenSSL's reference bytes/s for one algorithm and size. CBC + HMAC is encrypt-then-MAC here, so
# its reference combines `-evp aes-128-cbc` and `-hmac sha256` (time per byte adds up). OpenSSL's
# stitched aes-128-cbc-hmac-sha256 cipher is a TLS construction whose speed figures are not comparable.
. "$top/benchmarks/scripts/openssl-speed.sh"
ossl_rate() { # ARGS... -> bytes per second
  openssl_speed_bytes "$secs" "$size" "$@"
}
printf '%-24s %6s %-7s %-8s %12s %12s %7s\n' SUITE BYTES ENGINE OP NETFENCE_MB/s OPENSSL_MB/s RATIO
for suite in aes-128-gcm chacha20-poly1305 aes-128-cbc-hmac-sha256; do
  for size in 64 512 1400 9000; do
    rows=$(python3 - "$json" "$suite" "$size" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    p = r["params"]
    if p["suite"] == sys.argv[2] and p["size"] == sys.argv[3]:
        print(p["engine"], r["benchmark"].rsplit(".", 1)[1], r["primaryMetric"]["score"])
PY
)
    [ -n "$rows" ] || continue
    case $suite in
      aes-128-cbc-hmac-sha256)
        cbc=$(ossl_rate -evp aes-128-cbc); mac=$(ossl_rate -hmac sha256)
        ossl=$(awk -v a="$cbc" -v b="$mac" 'BEGIN { print 1 / (1 / a + 1 / b) }') ;;
      *) ossl=$(ossl_rate -evp "$suite") ;;
    esac
    while read -r engine op ops; do
      awk -v s="$suite" -v n="$size" -v e="$engine" -v m="$op" -v ops="$ops" -v o="$ossl" \
        'BEGIN { b = ops * n; printf "%-24s %6d %-7s %-8s %12.1f %12.1f %6.2fx\n", s, n, e, m, b / 1e6, o / 1e6, (o > 0 ? b / o : 0) }'
    done <<<"$rows"
  done
done
