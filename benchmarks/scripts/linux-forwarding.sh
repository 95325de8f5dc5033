#!/usr/bin/env bash
# Linux kernel IPv4 forwarding reference for Netfence's `bench` (see docs/COMMANDS.md §9).
#
#   sender ns --veth s0|r0--> router ns (ip_forward=1) --veth r1|x0--> receiver ns
#   198.18.0.2               198.18.0.1 / 198.19.0.1                   198.19.0.2
#
# trafgen (netsniff-ng) sends 60-byte UDP frames (64 with FCS) from 198.18.0.2 to 198.19.128.1,
# port 9, source ports 1024..1024+FLOWS-1: the same frames and flows as Netfence's bench. The
# router forwards them by its route 198.19.128.0/17 via 198.19.0.2 (static neighbours: no ARP).
# The receiver's stack drops them (ip_forward=0, no such local address).
# "Forwarded" is the router's egress veth r1 tx_packets over the measured interval, which is also
# what the receiver's x0 reports as rx_packets; "offered" is what trafgen put on s0 (tx + dropped).
#
# Usage: linux-forwarding.sh [SECONDS]   (default 10; root only)
# Environment: FLOWS (256), WARMUP seconds before measuring (1), MODE:
#   split  (default) trafgen pinned to GEN_CPU (0); the router's receive softirq (and the
#          receiver's, which runs where the router transmits) moved to RTR_CPU (1) with RPS on r0.
#   shared one trafgen process per CPU, each CPU forwarding what it sent (veth delivers on the
#          sending CPU): like Netfence's bench, where each worker generates, routes and sinks.
# Caveat: on a 2-core machine the generator always shares the CPUs with the forwarding, as in
# Netfence's bench; veth's per-packet cost (skb alloc, netif_rx backlog) is part of the figure.
set -euo pipefail

secs=${1:-10} flows=${FLOWS:-256} warmup=${WARMUP:-1} mode=${MODE:-split}
gen_cpu=${GEN_CPU:-0} rtr_cpu=${RTR_CPU:-1}
[ "$(id -u)" -eq 0 ] || { echo "linux-forwarding.sh: must run as root (it creates network namespaces)" >&2; exit 1; }
[[ $secs =~ ^[1-9][0-9]*$ && $flows =~ ^[1-9][0-9]*$ && $flows -le 256 ]] \
  || { echo "usage: [FLOWS=1-256] [MODE=split|shared] linux-forwarding.sh [SECONDS]" >&2; exit 2; }
[[ $mode == split || $mode == shared ]] || { echo "MODE must be split or shared" >&2; exit 2; }
if ! command -v trafgen >/dev/null; then
  echo "linux-forwarding.sh: installing netsniff-ng for trafgen..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q netsniff-ng >/dev/null
fi

# Unique names so that two runs (or a leftover) never collide; all cleaned up on any exit.
snd=lfw-snd-$$ rtr=lfw-rtr-$$ rcv=lfw-rcv-$$ tmp=$(mktemp -d) gen_pids=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${gen_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in "$snd" "$rtr" "$rcv"; do ip netns del "$ns" 2>/dev/null || true; done  # takes the veths with it
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # the EXIT trap cleans up

nsx() { ip netns exec "$@"; }
mac_s0=02:00:c6:12:00:02 mac_r0=02:00:c6:12:00:01 mac_r1=02:00:c6:13:00:01 mac_x0=02:00:c6:13:00:02
for ns in "$snd" "$rtr" "$rcv"; do
  ip netns add "$ns"
  # No IPv6 (no DAD/ND/MLD frames in the counters); loopback up.
  nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip -n "$snd" link add s0 address $mac_s0 type veth peer name r0 address $mac_r0 netns "$rtr"
ip -n "$rtr" link add r1 address $mac_r1 type veth peer name x0 address $mac_x0 netns "$rcv"
ip -n "$snd" addr add 198.18.0.2/24 dev s0
ip -n "$rtr" addr add 198.18.0.1/24 dev r0
ip -n "$rtr" addr add 198.19.0.1/24 dev r1
ip -n "$rcv" addr add 198.19.0.2/24 dev x0
ip -n "$snd" neigh add 198.18.0.1 lladdr $mac_r0 dev s0 nud permanent
ip -n "$rtr" neigh add 198.18.0.2 lladdr $mac_s0 dev r0 nud permanent
ip -n "$rtr" neigh add 198.19.0.2 lladdr $mac_x0 dev r1 nud permanent
ip -n "$rcv" neigh add 198.19.0.1 lladdr $mac_r1 dev x0 nud permanent
for l in "$snd s0" "$rtr r0" "$rtr r1" "$rcv x0"; do ip -n ${l% *} link set ${l#* } up; done
ip -n "$snd" route add 198.19.0.0/16 via 198.18.0.1 dev s0
ip -n "$rtr" route add 198.19.128.0/17 via 198.19.0.2 dev r1
nsx "$rtr" sysctl -qw net.ipv4.ip_forward=1
if [ "$mode" = split ]; then
  # RPS: r0's received frames are processed by RTR_CPU's softirq instead of the sending CPU's.
  nsx "$rtr" sh -c "printf '%x' $((1 << rtr_cpu)) > /sys/class/net/r0/queues/rx-0/rps_cpus"
fi

# One static trafgen packet per flow (round robin), so trafgen computes nothing per packet.
# 14 Ethernet + 20 IPv4 + 8 UDP (checksum 0 = none) + 18 payload = 60 bytes, 64 with FCS.
for ((f = 0; f < flows; f++)); do
  printf '{ %s, %s, c16(0x0800), 0x45, 0, c16(46), c16(0), c16(0), 64, 17, csumip(14, 33),
  198, 18, 0, 2, 198, 19, 128, 1, c16(%d), c16(9), c16(26), c16(0), fill(0, 18) }\n' \
    "0x${mac_r0//:/, 0x}" "0x${mac_s0//:/, 0x}" $((1024 + f))
done >"$tmp/udp64.cfg"

# Counters: s0 tx (+ tx_dropped: frames the veth could not queue) and r1 tx (= x0 rx).
stat() { nsx "$1" cat "/sys/class/net/$2/statistics/$3"; }
sample() { echo "$(date +%s.%N) $(stat "$snd" s0 tx_packets) $(stat "$snd" s0 tx_dropped) $(stat "$rtr" r1 tx_packets)"; }

# trafgen: TX_RING, qdisc bypass (its default); -A/-Q: leave the host's socket memory and IRQ
# affinity alone; -C: no CPU stats. It pins its N processes to CPUs 0..N-1 itself, so in split
# mode it runs as one process under taskset and -P 1 (which pins to the first CPU it may use).
if [ "$mode" = split ]; then
  nsx "$snd" taskset -c "$gen_cpu" trafgen -i "$tmp/udp64.cfg" -o s0 -P 1 -A -Q -C >"$tmp/trafgen.log" 2>&1 &
  gen_pids+=($!)
else
  nsx "$snd" trafgen -i "$tmp/udp64.cfg" -o s0 -P "$(nproc)" -A -Q -C >"$tmp/trafgen.log" 2>&1 &
  gen_pids+=($!)
fi
sleep "$warmup"
kill -0 "${gen_pids[0]}" 2>/dev/null || { echo "trafgen failed:" >&2; cat "$tmp/trafgen.log" >&2; exit 1; }
read -r t0 tx0 dr0 fw0 < <(sample)
sleep "$secs"
read -r t1 tx1 dr1 fw1 < <(sample)
kill -INT "${gen_pids[@]}" 2>/dev/null || true

awk -v t0="$t0" -v t1="$t1" -v off=$((tx1 - tx0 + dr1 - dr0)) -v fw=$((fw1 - fw0)) -v fl="$flows" -v m="$mode" 'BEGIN { dt = t1 - t0
  printf "linux kernel forwarding (%s): %.2f Mpps forwarded of %.2f Mpps offered by trafgen (%d packets in %.2f s, 64-byte frames, %d flows)\n",
    m, fw / dt / 1e6, off / dt / 1e6, fw, dt, fl
  printf "linux_forwarding_mpps=%.3f\n", fw / dt / 1e6 }'
