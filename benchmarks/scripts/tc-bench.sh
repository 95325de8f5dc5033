#!/usr/bin/env bash
# tc (issue 4), measured in one run on this machine:
#  1. 64-byte forwarding on one worker through the appliance's own `bench`, without tc and with
#     10, 10k and 100k flower rules over 4 masks on the generator port's ingress (`bench tc N`);
#     each configuration runs REPEATS times and the best run counts.
#  2. Loading 100k flower rules with `tc -batch FILE` in the appliance, next to Linux's own
#     `tc -batch` loading 100k u32 rules on a veth (this kernel has u32 but neither flower nor
#     gact, so its rules classify with flowid and no action). The appliance's figure is the
#     wall time of a run that loads the file minus that of the same run without it (JVM start
#     and the rest cancel out), best of REPEATS each; Linux's is the wall time of tc itself.
# Usage (as root): benchmarks/scripts/tc-bench.sh [SECONDS [REPEATS]]   (default 4 and 3)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-4}
repeats=${2:-3}
rules=100000
work=$(mktemp -d)
ns=nf-tcbench
trap 'rm -rf "$work"; ip netns del $ns 2>/dev/null || true' EXIT
"$top/netfence" --data "$work/warm" -c "ip link show" >/dev/null   # builds if needed

# --- 1. forwarding with and without rules ---
batch=$work/fwd.batch
echo "bench -j workers 1 seconds 3" > "$batch"           # warm-up (the JIT compiles the path)
echo "bench -j tc 10000 workers 1 seconds 3" >> "$batch"
configs=("" "tc 10" "tc 10000" "tc 100000")
for c in "${configs[@]}"; do
  for ((r = 0; r < repeats; r++)); do
    echo "bench -j $c workers 1 seconds $secs" >> "$batch"
  done
done
out=$("$top/netfence" --data "$work/fwd" -b "$batch")
python3 - "$repeats" "${configs[@]}" <<PY
import json, sys
repeats = int(sys.argv[1]); configs = sys.argv[2:]
runs = [json.loads(l) for l in """$out""".splitlines() if l.startswith("{")][2:]
best = {}
for i, c in enumerate(configs):
    group = runs[i * repeats:(i + 1) * repeats]
    best[c] = max(r["total"]["mpps"] for r in group)
    load = [r["tc"]["install_seconds"] for r in group if "tc" in r]
    extra = "" if not load else "   rules loaded in %.3f s (best %.3f)" % (sum(load) / len(load), min(load))
    print("%-12s %7.2f Mpps (best of %d)%s" % (c or "no tc", best[c], repeats, extra))
plain = best[""]
print("tc 10 rules / no tc:       %.2f  (%.1f ns per packet for tc ingress)" % (best["tc 10"] / plain, 1e3 / best["tc 10"] - 1e3 / plain))
print("tc 10k rules / no tc:      %.2f  (%.1f ns per packet)" % (best["tc 10000"] / plain, 1e3 / best["tc 10000"] - 1e3 / plain))
print("tc 100k rules / 10 rules:  %.2f  (target >= 0.8)" % (best["tc 100000"] / best["tc 10"]))
PY

# --- 2. loading 100k rules through tc -batch ---
python3 - "$rules" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(work + "/flower.tc", "w") as f:
    for i in range(n):
        k = i // 4
        m = i % 4
        if m == 0:
            key = "dst_ip 10.%d.%d.%d" % (k >> 16 & 255, k >> 8 & 255, k & 255)
        elif m == 1:
            key = "src_ip 10.%d.%d.0/24 ip_proto udp dst_port 9" % (k >> 8 & 255, k & 255)
        elif m == 2:
            key = "dst_mac 02:00:5e:%02x:%02x:%02x" % (k >> 16 & 255, k >> 8 & 255, k & 255)
        else:
            key = "ip_proto tcp src_port %d dst_ip 11.0.0.%d" % (k & 0xFFFF, k >> 16)
        f.write("filter add dev nfb0 ingress protocol ip prio 1 flower %s action pass\n" % key)
with open(work + "/u32.tc", "w") as f:
    for i in range(n):
        f.write("filter add dev v0 parent ffff: protocol ip prio 1 u32 match ip dst 10.%d.%d.%d/32 flowid 1:1\n"
                % (i >> 16 & 255, i >> 8 & 255, i & 255))
PY
printf 'ip link add nfb0 type sink\ntc qdisc add dev nfb0 clsact\n' > "$work/base.batch"
cp "$work/base.batch" "$work/load.batch"
echo "tc -batch $work/flower.tc" >> "$work/load.batch"
now() { date +%s%N; }
best_base=; best_load=
for ((r = 0; r < repeats; r++)); do
  for kind in base load; do
    rm -rf "$work/d-$kind"
    t0=$(now); "$top/netfence" --data "$work/d-$kind" -b "$work/$kind.batch" >/dev/null; t1=$(now)
    d=$(( (t1 - t0) / 1000 ))
    if [ $kind = base ]; then [ -z "$best_base" ] || [ $d -lt $best_base ] && best_base=$d || true
    else [ -z "$best_load" ] || [ $d -lt $best_load ] && best_load=$d || true; fi
  done
done
nf_us=$((best_load - best_base))
ip netns del $ns 2>/dev/null || true
ip netns add $ns
ip -n $ns link add v0 type veth peer name v1
ip -n $ns link set v0 up
tc -n $ns qdisc add dev v0 ingress
t0=$(now); tc -n $ns -batch "$work/u32.tc"; t1=$(now)
linux_us=$(( (t1 - t0) / 1000 ))
count=$(tc -n $ns filter show dev v0 parent ffff: | grep -c "^filter.*fh 800::" || true)
awk -v n=$rules -v a=$nf_us -v b=$linux_us -v c="$count" 'BEGIN {
  printf "Netfence tc -batch, %d flower rules (4 masks, action pass): %.2f s  (%.0f rules/s)\n", n, a / 1e6, n / (a / 1e6)
  printf "Linux    tc -batch, %d u32 rules on a veth (flowid, no action): %.2f s  (%.0f rules/s; %s filters listed)\n", n, b / 1e6, n / (b / 1e6), c
  printf "Netfence / Linux insertion rate: %.2fx\n", b / a }'
