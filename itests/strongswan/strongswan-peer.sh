#!/usr/bin/env bash
# strongswan-peer.sh - strongSwan as the IKEv2/ESP interop peer of the Netfence appliance.
#
# Needs (Debian 12), installed by nobody but you:
#   apt-get install -y --no-install-recommends \
#       strongswan-charon strongswan-swanctl libcharon-extra-plugins \
#       libstrongswan-standard-plugins python3-scapy tcpdump iproute2
#   strongswan-charon               charon daemon (/usr/lib/ipsec/charon)
#   strongswan-swanctl              swanctl + the vici plugin
#   libcharon-extra-plugins         kernel-libipsec (userspace ESP; this kernel has no ESP)
#   libstrongswan-standard-plugins  openssl + gcm plugins (AES-GCM, ChaCha20-Poly1305, x25519)
#   python3-scapy                   key extraction checks, pcap decryption, appliance stand-in
#   tcpdump, iproute2               capture, namespaces
#
# Two network namespaces, A (initiator, default "ssa") and B (responder, default "ssb"), each
# run their own charon with kernel-libipsec, joined by a veth pair. IKEv2 with PSK negotiates
# one tunnel-mode CHILD_SA forced into UDP 4500 (encap = yes); the keys are read back from
# charon's log (chd level 4), written as `ip xfrm state add` lines, and checked by decrypting
# the captured ESP-in-UDP with scapy. B can then be replaced by a TAP device of the appliance.
#
# Usage: strongswan-peer.sh up [--esp PROPOSAL] [--ike PROPOSAL] [--ping N] [--oneway]
#        strongswan-peer.sh status | verify [PCAP [both|oneway]] | ping [N [DST]] | attach TAPDEV | proto | down
# See README.md next to this file.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
DIR=${SS_DIR:-/tmp/netfence-strongswan}
NS_A=${SS_NS_A:-ssa}
NS_B=${SS_NS_B:-ssb}
IF_A=${SS_IF_A:-ssva}          # veth end in A
IF_B=${SS_IF_B:-ssvb}          # veth end in B
BR_B=ssbr0                     # bridge in B after `attach`
# Documentation ranges only (RFC 5737): nothing here can leave the machine.
OUTER_A=192.0.2.1 OUTER_B=192.0.2.2 OUTER_LEN=24
INNER_A=198.51.100.1 TS_A=198.51.100.0/24
INNER_B=203.0.113.1 TS_B=203.0.113.0/24
ESP=${SS_ESP:-aes128gcm16}
IKE=${SS_IKE:-aes128-sha256-x25519}
PSK=${SS_PSK:-netfence-interop-psk-0123456789}
PINGS=${SS_PING:-3}
ONEWAY=0
BLACKHOLE_B=203.0.113.99       # --oneway pings this: B drops it silently, so B sends no ESP

say() { printf '%s\n' "$*" >&2; }
die() { say "strongswan-peer.sh: $*"; exit 1; }
vici() { echo "unix://$DIR/$1/charon.vici"; }

check_prereqs() {
    [[ $(id -u) == 0 ]] || die "must run as root (network namespaces, TUN/TAP)."
    local missing=() f
    declare -A need=(
        [/usr/lib/ipsec/charon]=strongswan-charon
        [/usr/sbin/swanctl]=strongswan-swanctl
        [/usr/lib/ipsec/plugins/libstrongswan-vici.so]=strongswan-swanctl
        [/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so]=libcharon-extra-plugins
        [/usr/lib/ipsec/plugins/libstrongswan-openssl.so]=libstrongswan-standard-plugins
        [/usr/lib/ipsec/plugins/libstrongswan-gcm.so]=libstrongswan-standard-plugins
    )
    for f in "${!need[@]}"; do [[ -e $f ]] || missing+=("${need[$f]}"); done
    command -v tcpdump >/dev/null || missing+=(tcpdump)
    command -v ip >/dev/null || missing+=(iproute2)
    [[ -x $PY ]] && $PY -c 'import scapy.layers.ipsec' 2>/dev/null || missing+=(python3-scapy)
    if ((${#missing[@]})); then
        local list
        list=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
        die "missing Debian packages, install them with: apt-get install -y --no-install-recommends ${list% }"
    fi
    [[ -c /dev/net/tun ]] || die "/dev/net/tun is missing (kernel-libipsec needs TUN)."
}

# ---------------------------------------------------------------------------------------------
render() { # name outer_if local_outer remote_outer local_ts remote_ts local_id remote_id
    local d=$DIR/$1
    mkdir -p "$d/run" "$d/swanctl"
    sed -e "s|@NAME@|$1|g; s|@DIR@|$d|g" "$HERE/templates/strongswan.conf.in" >"$d/strongswan.conf"
    sed -e "s|@NAME@|$1|g; s|@DIR@|$d|g; s|@LOCAL_OUTER@|$3|g; s|@REMOTE_OUTER@|$4|g" \
        -e "s|@LOCAL_TS@|$5|g; s|@REMOTE_TS@|$6|g; s|@LOCAL_ID@|$7|g; s|@REMOTE_ID@|$8|g" \
        -e "s|@IKE_PROPOSAL@|$IKE|g; s|@ESP_PROPOSAL@|$ESP|g; s|@PSK@|$PSK|g" \
        "$HERE/templates/swanctl.conf.in" >"$d/swanctl/swanctl.conf"
    # swanctl looks for credential folders next to swanctl.conf; empty ones keep it quiet
    (cd "$d/swanctl" && mkdir -p x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12)
}

start_charon() { # name
    local n=$1 d=$DIR/$1 i
    # A socket left by an earlier charon would pass the wait below before this one listens.
    rm -f "$d/charon.vici"
    # charon's pid file is compiled in as /var/run/charon.pid: give each charon its own /run
    # (ip netns exec already runs the command in a private mount namespace).
    ip netns exec "$n" sh -c "mount --bind '$d/run' /run && exec env STRONGSWAN_CONF='$d/strongswan.conf' /usr/lib/ipsec/charon" \
        >"$d/charon.stdout" 2>&1 </dev/null &
    echo $! >"$d/charon.pid"
    disown
    # Up when vici answers, not merely when its socket exists (a loaded host starts charon slowly).
    for i in $(seq 150); do
        [[ -S $d/charon.vici ]] && swanctl --stats --uri "$(vici "$n")" >/dev/null 2>&1 && return 0
        kill -0 "$(cat "$d/charon.pid")" 2>/dev/null || break
        sleep 0.1
    done
    tail -5 "$d/charon.stdout" "$d/charon.log" 2>/dev/null >&2 || true
    die "charon in namespace $n did not come up (see $d/charon.log)."
}

stop_pidfile() { # pidfile [signal] - only a process of ours (charon, tcpdump, sspeer.py)
    local f=$1 sig=${2:-TERM} pid i
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null \
        && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE 'ipsec/charon|tcpdump|sspeer\.py'; then
        kill -s "$sig" "$pid" 2>/dev/null || true
        for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}

start_capture() { # file
    ip netns exec "$NS_A" tcpdump -i "$IF_A" --immediate-mode -U -n -s 0 -w "$1" 'udp port 4500 or udp port 500' \
        >"$DIR/tcpdump.log" 2>&1 </dev/null &
    echo $! >"$DIR/tcpdump.pid"
    disown
    local i
    for i in $(seq 30); do grep -q 'listening on' "$DIR/tcpdump.log" 2>/dev/null && return 0; sleep 0.1; done
    die "tcpdump did not start (see $DIR/tcpdump.log)."
}
stop_capture() { sleep 0.3; stop_pidfile "$DIR/tcpdump.pid" INT; }

ping_a() { # count [target] -> prints received count
    local out
    out=$(ip netns exec "$NS_A" ping -n -c "$1" -i 0.2 -W "${3:-2}" -I "$INNER_A" "${2:-$INNER_B}" 2>&1 || true)
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    printf '%s\n' "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p'
}

require_up() { # what
    [[ -f $DIR/sa.json && -e /run/netns/$NS_A && -e /run/netns/$NS_B ]] \
        && kill -0 "$(cat "$DIR/$NS_A/charon.pid" 2>/dev/null)" 2>/dev/null \
        || die "$1: the tunnel is not up (run '$0 up' first)."
}

list_sas() { swanctl --list-sas --raw --uri "$(vici "$1")" >"$DIR/$1/list-sas.raw"; }

# ---------------------------------------------------------------------------------------------
cmd_down() {
    local tap
    stop_pidfile "$DIR/appliance.pid"
    stop_pidfile "$DIR/tcpdump.pid" INT
    stop_pidfile "$DIR/$NS_A/charon.pid"
    stop_pidfile "$DIR/$NS_B/charon.pid" KILL
    # An appliance's TAP moved into B goes back to the root namespace, not away with B.
    if [[ -f $DIR/attached.tap ]]; then
        tap=$(cat "$DIR/attached.tap")
        ip -n "$NS_B" link set "$tap" nomaster 2>/dev/null || true
        ip -n "$NS_B" link set "$tap" netns 1 2>/dev/null || true
        rm -f "$DIR/attached.tap"
    fi
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    return 0
}

cmd_up() {
    while (($#)); do
        case $1 in
            --esp) ESP=$2; shift 2 ;;
            --ike) IKE=$2; shift 2 ;;
            --ping) PINGS=$2; shift 2 ;;
            --oneway) ONEWAY=1; shift ;;
            *) die "up: unknown option $1 (expected --esp P, --ike P, --ping N, --oneway)." ;;
        esac
    done
    check_prereqs
    cmd_down
    rm -rf "$DIR"
    mkdir -p "$DIR"
    trap 'rc=$?; if ((rc)); then say "strongswan-peer.sh: up failed; logs kept in $DIR"; cmd_down; fi' EXIT
    local t0=$SECONDS

    ip netns add "$NS_A"
    ip netns add "$NS_B"
    ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B"
    local n
    for n in "$NS_A" "$NS_B"; do
        ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        ip -n "$n" link set lo up
    done
    ip -n "$NS_A" addr add "$OUTER_A/$OUTER_LEN" dev "$IF_A"
    ip -n "$NS_B" addr add "$OUTER_B/$OUTER_LEN" dev "$IF_B"
    ip -n "$NS_A" addr add "$INNER_A/32" dev lo
    ip -n "$NS_B" addr add "$INNER_B/32" dev lo
    ip -n "$NS_A" link set "$IF_A" up
    ip -n "$NS_B" link set "$IF_B" up

    render "$NS_A" "$IF_A" "$OUTER_A" "$OUTER_B" "$TS_A" "$TS_B" "$NS_A@netfence.test" "$NS_B@netfence.test"
    render "$NS_B" "$IF_B" "$OUTER_B" "$OUTER_A" "$TS_B" "$TS_A" "$NS_B@netfence.test" "$NS_A@netfence.test"
    cat >"$DIR/topology.json" <<EOF
{"a": {"name": "$NS_A", "ns": "$NS_A", "if": "$IF_A", "outer": "$OUTER_A", "inner": "$INNER_A", "ts": "$TS_A"},
 "b": {"name": "$NS_B", "ns": "$NS_B", "if": "$IF_B", "outer": "$OUTER_B", "inner": "$INNER_B", "ts": "$TS_B"},
 "esp_proposal": "$ESP", "ike_proposal": "$IKE"}
EOF
    start_charon "$NS_A"
    start_charon "$NS_B"
    for n in "$NS_A" "$NS_B"; do
        timeout 10 swanctl --load-all --noprompt --uri "$(vici "$n")" --file "$DIR/$n/swanctl/swanctl.conf" \
            >"$DIR/$n/load.log" 2>&1 || { cat "$DIR/$n/load.log" >&2; die "swanctl could not load the config into $n."; }
    done
    start_capture "$DIR/esp.pcap"

    say "== IKEv2 $NS_A ($OUTER_A) -> $NS_B ($OUTER_B): IKE $IKE, ESP $ESP, UDP-encapsulated"
    if ! timeout 20 swanctl --initiate --child nf --timeout 15 --uri "$(vici "$NS_A")" >"$DIR/initiate.log" 2>&1; then
        grep -E 'NO_PROPOSAL|failed|error|no .* found' "$DIR/initiate.log" >&2 || tail -5 "$DIR/initiate.log" >&2
        false
    fi
    grep -E 'selected proposal: ESP|CHILD_SA .* established' "$DIR/initiate.log" | sed 's/^/    /' >&2

    local got=0
    if ((PINGS > 0 && ONEWAY)); then
        # Echo requests only: B decrypts them and drops them silently (blackhole: no ICMP
        # error either), so B's outbound SA is never used and a replacement starts at seq 1.
        ip -n "$NS_B" route add blackhole "$BLACKHOLE_B/32"
        say "== one way: ping $INNER_A -> $BLACKHOLE_B through the tunnel ($PINGS, no replies expected)"
        ping_a "$PINGS" "$BLACKHOLE_B" 1 >/dev/null
    elif ((PINGS > 0)); then
        say "== ping $INNER_A -> $INNER_B through the tunnel ($PINGS)"
        got=$(ping_a "$PINGS")
        ((got > 0)) || die "no echo reply came back through the strongSwan tunnel."
    fi
    stop_capture
    list_sas "$NS_A"
    list_sas "$NS_B"

    say "== SAs (keys from charon's log, SPIs/ports/algorithms from vici)"
    $PY "$HERE/sspeer.py" extract "$DIR" >/dev/null
    sed 's/^/    /' "$DIR/sa.lines" >&2
    if ((PINGS > 0)); then
        say "== scapy decrypts the capture with those SAs ($DIR/esp.pcap)"
        $PY "$HERE/sspeer.py" verify "$DIR" "$DIR/esp.pcap" "$( ((ONEWAY)) && echo oneway || echo both)" >&2
    fi
    trap - EXIT
    say "== up in $((SECONDS - t0)) s; A=$NS_A B=$NS_B; SA lines:"
    echo "$DIR/sa.lines"
}

cmd_status() {
    local n
    for n in "$NS_A" "$NS_B"; do
        say "== $n"
        if [[ -f $DIR/$n/charon.pid ]] && kill -0 "$(cat "$DIR/$n/charon.pid")" 2>/dev/null; then
            swanctl --list-sas --uri "$(vici "$n")" >&2 || true
        else
            say "   charon not running"
        fi
    done
    [[ -f $DIR/attached.tap ]] && say "== $NS_B replaced by TAP $(cat "$DIR/attached.tap")"
    [[ -f $DIR/sa.lines ]] && echo "$DIR/sa.lines"
    return 0
}

cmd_verify() {
    check_prereqs
    $PY "$HERE/sspeer.py" verify "$DIR" "${1:-$DIR/esp.pcap}" "${2:-both}"
}

cmd_ping() {
    local got
    require_up ping
    got=$(ping_a "${1:-3}" "${2:-$INNER_B}")
    say "received ${got:-0} of ${1:-3}"
    ((${got:-0} > 0))
}

# Replace B by an appliance port: B's charon is killed without a word to A (SIGKILL: no IKE
# DELETE), B's address goes away, and B becomes a plain L2 wire (bridge) between A's veth and
# the TAP device, whose other side (the appliance) must own OUTER_B and B's SAs. A sees nothing
# change but the MAC address behind OUTER_B.
cmd_attach() {
    local tap=${1:-}
    [[ -n $tap ]] || die "attach: name the appliance's TAP device (in the root namespace or in $NS_B)."
    require_up attach
    if ! ip -n "$NS_B" link show "$tap" >/dev/null 2>&1; then
        ip link show "$tap" >/dev/null 2>&1 || die "attach: no device $tap in the root namespace or in $NS_B."
        ip link set "$tap" netns "$NS_B"
    fi
    echo "$tap" >"$DIR/attached.tap"
    stop_pidfile "$DIR/$NS_B/charon.pid" KILL
    ip -n "$NS_B" addr flush dev "$IF_B"
    # The bridge itself stays silent (no IP, no multicast reports toward the appliance).
    ip -n "$NS_B" link show "$BR_B" >/dev/null 2>&1 || ip -n "$NS_B" link add "$BR_B" type bridge
    ip -n "$NS_B" link set "$BR_B" multicast off
    ip -n "$NS_B" link set "$IF_B" master "$BR_B"
    ip -n "$NS_B" link set "$tap" master "$BR_B"
    ip -n "$NS_B" link set "$tap" up
    ip -n "$NS_B" link set "$BR_B" up
    # A still has B's veth MAC for OUTER_B: forget it so A asks again and gets the appliance's.
    ip -n "$NS_A" neigh flush dev "$IF_A" 2>/dev/null || true
    say "== $NS_B replaced: $tap bridged to $NS_A's veth; the appliance must own $OUTER_B/$OUTER_LEN on $tap"
    say "   and install $DIR/sa.lines (+ $DIR/appliance.policies); inner $TS_B is its side."
    echo "$DIR/sa.lines"
}

# Prototype of the replacement: a scapy stand-in plays the appliance on a TAP device.
cmd_proto() {
    check_prereqs
    require_up proto
    [[ -f $DIR/attached.tap ]] && die "proto: $NS_B was already replaced (run 'up' again)."
    local tap=ssnf0 n=${SS_PROTO_PINGS:-5} i got
    rm -f "$DIR/appliance.json"
    trap 'stop_pidfile "$DIR/tcpdump.pid" INT; stop_pidfile "$DIR/appliance.pid"' EXIT
    $PY "$HERE/sspeer.py" appliance "$DIR" "$tap" 25 "$DIR/appliance.json" "${SS_PROTO_FIRST_SEQ:-}" >"$DIR/appliance.log" 2>&1 </dev/null &
    echo $! >"$DIR/appliance.pid"
    disown
    for i in $(seq 50); do
        [[ -f $DIR/appliance.json ]] && ip link show "$tap" >/dev/null 2>&1 && break
        sleep 0.1
    done
    [[ -f $DIR/appliance.json ]] || { cat "$DIR/appliance.log" >&2; die "proto: the scapy stand-in did not open its TAP."; }
    cmd_attach "$tap" >/dev/null
    start_capture "$DIR/appliance.pcap"
    # What the appliance must ignore on 4500: a NAT keepalive and IKE (non-ESP marker).
    ip netns exec "$NS_A" $PY -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'\xff', ('$OUTER_B', 4500)); s.sendto(bytes(4) + b'IKE?', ('$OUTER_B', 4500))"
    say "== ping $INNER_A -> $INNER_B: $NS_A's strongSwan against the scapy stand-in on $tap"
    got=$(ping_a "$n")
    stop_capture
    stop_pidfile "$DIR/appliance.pid"
    sed 's/^/    /' "$DIR/appliance.log" >&2
    say "    stand-in counters: $(cat "$DIR/appliance.json")"
    say "    $NS_A's CHILD_SA now:"
    swanctl --list-sas --uri "$(vici "$NS_A")" 2>&1 | sed -n '/ in \| out /s/^/    /p' >&2
    say "== scapy decrypts the capture of that exchange ($DIR/appliance.pcap)"
    $PY "$HERE/sspeer.py" verify "$DIR" "$DIR/appliance.pcap" both >&2 || true
    trap - EXIT
    ((got == n)) || die "proto: $got of $n echo replies from the stand-in reached $NS_A."
    local own
    own=$($PY -c "import json; s = json.load(open('$DIR/appliance.json')); print(s['own_replies'], s['own_requests'])")
    [[ ${own% *} -ge 1 && ${own% *} == "${own#* }" ]] \
        || die "proto: $NS_A answered ${own% *} of ${own#* } echo requests the stand-in sent through the tunnel."
    say "== proto OK: $NS_A got $got/$n replies from the stand-in and answered its ${own#* } requests"
}

case ${1:-} in
    up) shift; cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    verify) shift; cmd_verify "$@" ;;
    ping) shift; cmd_ping "$@" ;;
    attach) shift; cmd_attach "$@" ;;
    proto) cmd_proto ;;
    *) sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
