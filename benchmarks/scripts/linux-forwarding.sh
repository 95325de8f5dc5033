#!/usr/bin/env bash
# Linux kernel IPv4 forwarding reference for Netfence's `bench` (docs/COMMANDS.md §9).
#
#   sender ns  s0 ==veth== r0  router ns (ip_forward=1)  r1 ==veth== x0  receiver ns
#   198.18.0.2/24          198.18.0.1/24   198.19.0.1/24             198.19.0.2/24
#
# trafgen (netsniff-ng) sends 60-byte UDP frames (64 with FCS) 198.18.0.2 -> 198.19.128.1 port 9
# from source ports 1024..1024+FLOWS-1: the frames and flows of Netfence's bench. The router
# forwards them by the route 198.19.128.0/17 via 198.19.0.2 (static neighbours: no ARP).
# The receiver is a cheap sink, as Netfence's is: the router's neighbour entry for 198.19.0.2 is
# Netfence's bench neighbour 02:00:c6:13:00:02, but x0's own MAC is ...:03, so x0 counts each
# frame (rx_packets) and its IP layer discards it at once as addressed to another host
# (PACKET_OTHERHOST). A receiver that routes the frame before dropping it costs ~20% of the rate.
# Forwarded = r1 tx_packets over the interval (= x0 rx_packets); offered = s0 tx_packets plus
# s0 tx_dropped (frames the router's backlog refused).
#
# Usage: linux-forwarding.sh [SECONDS]   (default 10; root only)
# Environment: FLOWS (256), WARMUP seconds before measuring (1), MODE:
#   shared (default) one trafgen process per CPU; veth delivers on the sending CPU, so each CPU
#          generates, forwards and drops its own frames, as each Netfence bench worker does.
#   split  trafgen pinned to GEN_CPU (0); RPS on r0 moves the router's softirq (and the
#          receiver's, which runs where the router transmits) to RTR_CPU (1). RTR_CPU's softirq
#          saturates: this is one core of forwarding, and every frame crosses CPUs (cache
#          misses, remote frees), so it is well under half of shared.
# Honesty note: with 2 cores the generator always competes with the forwarding for CPU (as in
# Netfence's bench, whose generator is in the appliance too), and veth's per-frame kernel cost
# (skb allocation, the netif_rx backlog) is part of the Linux figure: a NIC would have other costs.
set -euo pipefail

secs=${1:-10} flows=${FLOWS:-256} warmup=${WARMUP:-1} mode=${MODE:-shared}
gen_cpu=${GEN_CPU:-0} rtr_cpu=${RTR_CPU:-1}
[ "$(id -u)" -eq 0 ] || { echo "linux-forwarding.sh: must run as root (it creates network namespaces)" >&2; exit 1; }
[[ $secs =~ ^[1-9][0-9]*$ && $flows =~ ^[1-9][0-9]*$ && $flows -le 32766 && $mode =~ ^(split|shared)$ ]] \
  || { echo "usage: [MODE=split|shared] [FLOWS=1-32766] linux-forwarding.sh [SECONDS]" >&2; exit 2; }
if ! command -v trafgen >/dev/null; then
  echo "linux-forwarding.sh: installing netsniff-ng for trafgen..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q netsniff-ng >/dev/null
fi

# Unique names so that runs never collide. On any exit: stop trafgen's process group, then
# anything left inside our namespaces (a namespace lives on while a process is in it), delete
# the namespaces (which deletes the veths) and restore the socket buffer default.
snd=lfw-snd-$$ rtr=lfw-rtr-$$ rcv=lfw-rcv-$$ tmp=$(mktemp -d) gen_pid=
wmem_was=$(sysctl -n net.core.wmem_default)
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$gen_pid" ]; then kill -INT -- "-$gen_pid" 2>/dev/null || true; sleep 0.5; fi
  for ns in "$snd" "$rtr" "$rcv"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  done
  wait 2>/dev/null || true
  for ns in "$snd" "$rtr" "$rcv"; do ip netns del "$ns" 2>/dev/null || true; done
  sysctl -qw net.core.wmem_default="$wmem_was"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # the EXIT trap cleans up

nsx() { ip netns exec "$@"; }
mac_s0=02:00:c6:12:00:02 mac_r0=02:00:c6:12:00:01 mac_r1=02:00:c6:13:00:01 mac_x0=02:00:c6:13:00:03
for ns in "$snd" "$rtr" "$rcv"; do
  ip netns add "$ns"
  nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1  # no ND/MLD noise
done
ip -n "$snd" link add s0 address $mac_s0 type veth peer name r0 address $mac_r0 netns "$rtr"
ip -n "$rtr" link add r1 address $mac_r1 type veth peer name x0 address $mac_x0 netns "$rcv"
ip -n "$snd" addr add 198.18.0.2/24 dev s0
ip -n "$rtr" addr add 198.18.0.1/24 dev r0
ip -n "$rtr" addr add 198.19.0.1/24 dev r1
ip -n "$rcv" addr add 198.19.0.2/24 dev x0
ip -n "$snd" neigh add 198.18.0.1 lladdr $mac_r0 dev s0 nud permanent
ip -n "$rtr" neigh add 198.18.0.2 lladdr $mac_s0 dev r0 nud permanent
ip -n "$rtr" neigh add 198.19.0.2 lladdr 02:00:c6:13:00:02 dev r1 nud permanent
ip -n "$rcv" neigh add 198.19.0.1 lladdr $mac_r1 dev x0 nud permanent
ip -n "$snd" link set s0 up; ip -n "$rtr" link set r0 up; ip -n "$rtr" link set r1 up; ip -n "$rcv" link set x0 up
ip -n "$snd" route add 198.19.0.0/16 via 198.18.0.1 dev s0
ip -n "$rtr" route add 198.19.128.0/17 via 198.19.0.2 dev r1
nsx "$rtr" sysctl -qw net.ipv4.ip_forward=1
[ "$mode" = shared ] || nsx "$rtr" sh -c "printf %x $((1 << rtr_cpu)) >/sys/class/net/r0/queues/rx-0/rps_cpus"
# trafgen's TX_RING socket fails (EAGAIN) once its in-flight frames exceed the socket buffer;
# 4 MiB holds more than the backlog (net.core.netdev_max_backlog), so the backlog drops first.
# This one host-wide default is raised for the run only (restored on exit).
sysctl -qw net.core.wmem_default=4194304

# One static trafgen packet per flow, sent round robin, so trafgen computes nothing per frame.
# 14 Ethernet + 20 IPv4 + 8 UDP (checksum 0: none) + 18 zero bytes = 60 bytes (64 with FCS).
for ((f = 0; f < flows; f++)); do
  printf '{ %s, %s, c16(0x0800), 0x45, 0, c16(46), c16(0), c16(0), 64, 17, csumip(14, 33),
  198, 18, 0, 2, 198, 19, 128, 1, c16(%d), c16(9), c16(26), c16(0), fill(0, 18) }\n' \
    "0x${mac_r0//:/, 0x}" "0x${mac_s0//:/, 0x}" $((1024 + f))
done >"$tmp/udp64.cfg"

# trafgen uses its TX_RING and bypasses the qdisc (its defaults); it leaves the host's socket
# memory and IRQ affinity alone (long options: 0.6.8 rejects -A). It pins its N processes to
# CPUs 0..N-1 itself, so for split mode it is one process (-P 1) started under taskset.
gen=(trafgen -i "$tmp/udp64.cfg" -o s0 --no-sock-mem --notouch-irq --no-cpu-stats)
if [ "$mode" = split ]; then gen=(taskset -c "$gen_cpu" "${gen[@]}" -P 1); else gen+=(-P "$(nproc)"); fi
setsid ip netns exec "$snd" "${gen[@]}" >"$tmp/trafgen.log" 2>&1 &   # its own process group
gen_pid=$!
sleep "$warmup"
kill -0 "$gen_pid" 2>/dev/null || { echo "trafgen failed:" >&2; cat "$tmp/trafgen.log" >&2; exit 1; }

# A sample: time, r1 "tx_packets tx_dropped", s0 "tx_packets tx_dropped"; trafgen's user-mode
# CPU ticks; /proc/stat's cpuN lines (user nice system idle iowait irq softirq steal). User time
# that is not trafgen's is other work (builds, tests) competing with the run.
tx() { ip -n "$1" -s -o link show "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "TX:") print $(i+9), $(i+11) }'; }
sample() {
  local r; r=$(tx "$rtr" r1); echo "$(date +%s.%N) $r $(tx "$snd" s0)"
  for p in $(ip netns pids "$snd"); do { cat "/proc/$p/stat" && echo; } 2>/dev/null; done \
    | awk '{ t += $14 } END { print "ours", t + 0 }'
  grep '^cpu[0-9]' /proc/stat
}
sample >"$tmp/a"; sleep "$secs"; sample >"$tmp/b"
kill -0 "$gen_pid" 2>/dev/null || { echo "trafgen stopped during the run:" >&2; cat "$tmp/trafgen.log" >&2; exit 1; }

awk -v m="$mode" -v fl="$flows" '
  FNR == 1 { t[FILENAME] = $1; fw[FILENAME] = $2; off[FILENAME] = $4 + $5; next }
  $1 == "ours" { ours[FILENAME] = $2; next }
  { busy = $2 + $3 + $4 + $7 + $8 + $9; all = busy + $5 + $6
    if (FILENAME ~ /a$/) { b0[$1] = busy; a0[$1] = all; s0[$1] = $8; u0 += $2 + $3; cpus[++n] = $1 }
    else { b1[$1] = busy; a1[$1] = all; s1[$1] = $8; u1 += $2 + $3 } }
  END { ta = ARGV[1]; tb = ARGV[2]; dt = t[tb] - t[ta]; mpps = (fw[tb] - fw[ta]) / dt / 1e6
    printf "linux kernel forwarding (%s): %.3f Mpps forwarded, %.3f Mpps offered by trafgen (%d packets in %.2f s, 64-byte frames, %d flows)\n",
      m, mpps, (off[tb] - off[ta]) / dt / 1e6, fw[tb] - fw[ta], dt, fl
    for (i = 1; i <= n; i++) { c = cpus[i]; d = a1[c] - a0[c]; if (d <= 0) d = 1; tall += d
      printf("%s%s busy %.0f%% (softirq %.0f%%)", (i > 1 ? ", " : "cpu use: "), c, 100 * (b1[c] - b0[c]) / d, 100 * (s1[c] - s0[c]) / d) }
    other = 100 * (u1 - u0 - (ours[tb] - ours[ta])) / tall; if (other < 0) other = 0
    printf "; other user-space work %.0f%% of the CPUs\n", other
    if (other > 10) print "warning: other user-space work took CPU time during the run: the Linux figure is low" > "/dev/stderr"
    printf "linux_forwarding_mpps=%.3f\n", mpps }' "$tmp/a" "$tmp/b"
