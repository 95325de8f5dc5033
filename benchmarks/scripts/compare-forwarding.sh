#!/usr/bin/env bash
# Netfence's bench against the Linux kernel's own IPv4 forwarding, on this machine, in one run.
#
#   1. ./netfence -c "bench seconds N": generator, dataplane and sink inside the appliance, one
#      worker per core; its "total: X Mpps" line is the Netfence figure.
#   2. linux-forwarding.sh N twice: MODE=shared (a trafgen per CPU, each CPU forwarding what it
#      sent, like a bench worker) and MODE=split (trafgen on CPU 0, router softirq on CPU 1 by
#      RPS). The higher of the two is the Linux figure, so the ratio does not flatter Netfence.
# Honesty: both figures include generating the frames on the same 2 cores (nothing else is
# possible on this machine). The Linux one also includes the sender's syscalls and veth's
# per-frame costs (skb allocation, backlog queues), which a NIC would replace by its own, and in
# a VM kernel entry and interrupt masking cost more than on bare metal. It is a like-for-like
# reference on this machine, not Linux's forwarding rate on real hardware.
# Other work on the machine skews both figures: each measurement first waits (up to QUIET_WAIT s,
# default 120) for the CPUs to be at least 90% idle, warns if they never were, and each run
# reports the share of CPU that other work took during it (a warning above 10%).
#
# Usage: compare-forwarding.sh [SECONDS]   (default 10; root, for the namespaces)
set -euo pipefail

secs=${1:-10} top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "compare-forwarding.sh: must run as root (linux-forwarding.sh creates namespaces)" >&2; exit 1; }
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "usage: compare-forwarding.sh [SECONDS]" >&2; exit 2; }

idle_pct() {  # idle share of all CPUs over 2 s, from /proc/stat
  local a b; a=$(head -1 /proc/stat); sleep 2; b=$(head -1 /proc/stat)
  echo "$a $b" | awk '{ n = NF / 2; for (i = 2; i <= n; i++) { d = $(i+n) - $i; all += d; if (i == 5 || i == 6) idle += d }
    printf "%.0f", all ? 100 * idle / all : 0 }'
}
wait_quiet() {
  local t=0 idle
  while idle=$(idle_pct); [ "$idle" -lt 90 ] && [ $t -lt "${QUIET_WAIT:-120}" ]; do t=$((t + 2)); done
  [ "$idle" -ge 90 ] || echo "warning: the CPUs were only ${idle}% idle before this run: other work skews it" >&2
}

# Build first (./netfence builds when sources changed); another engineer's half-done edit can
# break the build for a while, so retry twice, a minute apart.
for try in 1 2 3; do
  if (cd "$top" && ./netfence -c "bench help" >/dev/null); then break; fi
  [ $try -lt 3 ] || { echo "compare-forwarding.sh: netfence does not build" >&2; exit 1; }
  echo "compare-forwarding.sh: build failed, retrying in 60 s" >&2; sleep 60
done

# CPU seconds: busy on all CPUs, and used by the finished children of this shell (cutime, cstime).
busy_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
kids_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($16 + $17) / hz }' "/proc/$$/stat"; }   # cutime + cstime

wait_quiet
b0=$(busy_s) k0=$(kids_s) t0=$(date +%s.%N)
nf_out=$(cd "$top" && ./netfence -c "bench seconds $secs")
b1=$(busy_s) k1=$(kids_s) t1=$(date +%s.%N)
echo "$nf_out"
# CPU time that the netfence process did not use was other work competing with the bench.
echo "$b0 $b1 $k0 $k1 $t0 $t1 $(nproc)" | awk '{ o = 100 * (($2 - $1) - ($4 - $3)) / (($6 - $5) * $7); if (o < 0) o = 0
  printf "netfence run: other work %.0f%% of the CPUs\n", o
  if (o > 10) print "warning: other work took CPU time during the Netfence run: its figure is low" > "/dev/stderr" }'
nf=$(echo "$nf_out" | sed -n 's/^total: \([0-9.]*\) Mpps.*/\1/p')
[ -n "$nf" ] || { echo "compare-forwarding.sh: no 'total: X Mpps' line from netfence bench" >&2; exit 1; }

declare -A lx
for mode in shared split; do
  wait_quiet
  out=$(MODE=$mode "$here/linux-forwarding.sh" "$secs")
  echo "$out"
  lx[$mode]=$(echo "$out" | sed -n 's/^linux_forwarding_mpps=//p')
done

awk -v nf="$nf" -v s="${lx[split]}" -v sh="${lx[shared]}" 'BEGIN { best = s > sh ? s : sh
  printf "\nNetfence bench: %.2f Mpps | Linux kernel forwarding: %.3f Mpps (split %.3f, shared %.3f) | Netfence/Linux = %.1fx\n",
    nf, best, s, sh, nf / best
  printf "netfence_mpps=%s\nlinux_forwarding_mpps=%.3f\nratio=%.2f\n", nf, best, nf / best }'
