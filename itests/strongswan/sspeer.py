#!/usr/bin/python3
"""Helpers for strongswan-peer.sh (run with Debian's /usr/bin/python3 and python3-scapy).

  sspeer.py extract RUNDIR          charon logs + vici list-sas dumps -> sa.json, sa.lines, appliance.policies
  sspeer.py verify RUNDIR PCAP [both|oneway]  decrypt every ESP-in-UDP packet of PCAP with the extracted SAs (scapy)
  sspeer.py selftest                the truncated-GCM code against pyca's AESGCM
  sspeer.py appliance RUNDIR TAP    a stand-in for the Netfence appliance: owns the B-side outer
                                    address on TAP device TAP and answers ICMP echo through ESP-in-UDP

Nothing here talks IKE: the keys come from charon's own log (charon.filelog chd = 4 prints the
derived CHILD_SA keys) and the SPIs, ports and algorithms from `swanctl --list-sas --raw`.
"""
import ipaddress
import json
import os
import re
import sys

HEXROW = re.compile(r"^\s*\d+: ((?:[0-9A-F]{2} ){0,15}[0-9A-F]{2})")


def fail(msg):
    print("sspeer.py: " + msg, file=sys.stderr)
    sys.exit(1)


# --------------------------------------------------------------------------------------------
# extract
# --------------------------------------------------------------------------------------------

def parse_log(path):
    """The CHILD_SA keys and SAs, in order, from one charon.log (chd level 4).

    Returns a list of dicts {keys: {name: bytes}, inbound: (spi, src, dst), outbound: (...),
    established: (spi_in, spi_out)}, one per established CHILD_SA."""
    # strip "HH:MM:SS NN[GRP] <conn|n> " prefixes
    prefix = re.compile(r"^\S+ \d+\[(\w+)\] (?:<[^>]*> )?")
    lines = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = prefix.match(raw)
            if m:
                lines.append((m.group(1), raw[m.end():].rstrip("\n")))
    children = []
    cur = {"keys": {}}
    i = 0
    while i < len(lines):
        grp, text = lines[i]
        m = re.match(r"^(encryption|integrity) (initiator|responder) key => (\d+) bytes", text)
        if m:
            n = int(m.group(3))
            data = b""
            j = i + 1
            while len(data) < n and j < len(lines):
                r = HEXROW.match(lines[j][1])
                if not r:
                    break
                data += bytes.fromhex(r.group(1).replace(" ", ""))
                j += 1
            if len(data) != n:
                fail("%s: could not read %d key bytes after '%s'" % (path, n, text))
            cur["keys"]["%s_%s" % (m.group(1)[:4], m.group(2)[0])] = data
            i = j
            continue
        m = re.match(r"^adding (inbound|outbound) ESP SA", text)
        if m and i + 1 < len(lines):
            s = re.match(r"^\s*SPI 0x([0-9a-f]+), src (\S+) dst (\S+)", lines[i + 1][1])
            if s:
                cur[m.group(1)] = (int(s.group(1), 16), s.group(2), s.group(3))
        m = re.match(r"^CHILD_SA \S+ established with SPIs ([0-9a-f]+)_i ([0-9a-f]+)_o", text)
        if m:
            cur["established"] = (int(m.group(1), 16), int(m.group(2), 16))
            children.append(cur)
            cur = {"keys": {}}
        i += 1
    return children


def parse_vici(path):
    """Flatten `swanctl --list-sas --raw` into the IKE SA's and its CHILD_SA's key=value pairs."""
    text = open(path).read()
    m = re.search(r"list-sa event \{(.*)\}", text)
    if not m:
        fail("%s: no IKE_SA listed (is the tunnel up?)" % path)
    body = m.group(1)
    ci = body.find("child-sas {")
    if ci < 0:
        fail("%s: IKE_SA without CHILD_SA" % path)
    kv = lambda s: dict(re.findall(r"([\w-]+)=([^\s{}\[\]]+)", s))
    return kv(body[:ci]), kv(body[ci:])


# Linux (iproute2) names. AEAD: (name, ICV bits); the key given to Linux carries the salt/nonce.
AEAD = {
    "AES_GCM_16": ("rfc4106(gcm(aes))", 128, "AES-GCM"),
    "AES_GCM_12": ("rfc4106(gcm(aes))", 96, "AES-GCM"),
    "AES_GCM_8": ("rfc4106(gcm(aes))", 64, "AES-GCM"),
    "CHACHA20_POLY1305": ("rfc7539esp(chacha20,poly1305)", 128, "CHACHA20-POLY1305"),
}
ENC = {
    "AES_CBC": ("cbc(aes)", "AES-CBC"),
    "AES_CTR": ("rfc3686(ctr(aes))", "AES-CTR"),
}
INTEG = {
    "HMAC_SHA1_96": ("hmac(sha1)", 96, "HMAC-SHA1-96"),
    "HMAC_SHA2_256_128": ("hmac(sha256)", 128, "SHA2-256-128"),
    "HMAC_SHA2_384_192": ("hmac(sha384)", 192, "SHA2-384-192"),
    "HMAC_SHA2_512_256": ("hmac(sha512)", 256, "SHA2-512-256"),
}


def extract(rundir):
    env = json.load(open(os.path.join(rundir, "topology.json")))
    a, b = env["a"], env["b"]
    side = {}
    for s in (a, b):
        d = os.path.join(rundir, s["name"])
        children = parse_log(os.path.join(d, "charon.log"))
        if not children:
            fail("%s/charon.log: no established CHILD_SA with keys (chd log level must be 4)" % d)
        ike, child = parse_vici(os.path.join(d, "list-sas.raw"))
        spi_in, spi_out = int(child["spi-in"], 16), int(child["spi-out"], 16)
        match = [c for c in children if c.get("established") == (spi_in, spi_out)]
        if not match:
            fail("%s: the log has no keys for CHILD_SA %08x_i %08x_o" % (d, spi_in, spi_out))
        side[s["name"]] = dict(ike=ike, child=child, log=match[-1])

    la, lb = side[a["name"]]["log"], side[b["name"]]["log"]
    if la["keys"] != lb["keys"]:
        fail("the two charons logged different CHILD_SA keys: the log parse is wrong")
    if la["inbound"][0] != lb["outbound"][0] or la["outbound"][0] != lb["inbound"][0]:
        fail("SPIs do not pair up between the two charons")
    ini = [n for n in side if side[n]["ike"].get("initiator") == "yes"]
    if len(ini) != 1:
        fail("expected exactly one IKE initiator, found %r" % ini)
    initiator = ini[0]

    child = side[b["name"]]["child"]
    ikeb = side[b["name"]]["ike"]
    encr = child["encr-alg"]
    integ = child.get("integ-alg")
    keys = la["keys"]
    sas = []
    # Each SA: sender -> receiver. Keys are taken in the child initiator -> responder direction
    # first (RFC 7296 2.17); the initial CHILD_SA's initiator is the IKE initiator.
    for sender, receiver in ((a, b), (b, a)):
        spi, src, dst = side[sender["name"]]["log"]["outbound"]
        role = "i" if sender["name"] == initiator else "r"
        ek = keys["encr_" + role]
        ik = keys.get("inte_" + role, b"")
        sent = int(side[sender["name"]]["child"].get("packets-out", "0"))
        sa = dict(name="%s->%s" % (sender["name"], receiver["name"]), sender=sender["name"],
                  receiver=receiver["name"], src=src, dst=dst, spi=spi, spi_hex="0x%08x" % spi,
                  reqid=int(side[b["name"]]["child"].get("reqid", "1")), mode="tunnel",
                  strongswan_encr=encr, strongswan_integ=integ,
                  encr_keysize=int(child.get("encr-keysize", "0") or 0),
                  inner_src=sender["ts"], inner_dst=receiver["ts"],
                  encap=dict(type="espinudp",
                             sport=int(side[sender["name"]]["ike"]["local-port"]),
                             dport=int(side[sender["name"]]["ike"]["remote-port"]), oa="0.0.0.0"),
                  packets_sent_by_strongswan=sent)
        if encr in AEAD:
            lname, icv, scapy = AEAD[encr]
            sa.update(aead=lname, key=ek.hex(), icv_bits=icv,
                      scapy=dict(crypt_algo=scapy, crypt_key=ek.hex(), crypt_icv_size=icv // 8))
        elif encr in ENC and integ in INTEG:
            lname, scapy = ENC[encr]
            aname, trunc, sauth = INTEG[integ]
            sa.update(enc=lname, key=ek.hex(), auth=aname, auth_key=ik.hex(), trunc_bits=trunc,
                      scapy=dict(crypt_algo=scapy, crypt_key=ek.hex(), auth_algo=sauth, auth_key=ik.hex()))
        else:
            fail("no Linux name known for ESP %s/%s" % (encr, integ))
        line = "ip xfrm state add src %s dst %s proto esp spi 0x%08x reqid %d mode tunnel " % (
            src, dst, spi, sa["reqid"])
        if "aead" in sa:
            line += "aead '%s' 0x%s %d" % (sa["aead"], sa["key"], sa["icv_bits"])
        else:
            line += "enc '%s' 0x%s auth-trunc '%s' 0x%s %d" % (
                sa["enc"], sa["key"], sa["auth"], sa["auth_key"], sa["trunc_bits"])
        line += " encap espinudp %d %d 0.0.0.0" % (sa["encap"]["sport"], sa["encap"]["dport"])
        sa["line"] = line
        sas.append(sa)

    out = dict(topology=env, ike=dict(initiator=initiator, proposal="/".join(x for x in (
        ikeb.get("encr-alg", "") + ("_" + ikeb["encr-keysize"] if "encr-keysize" in ikeb else ""),
        ikeb.get("integ-alg"), ikeb.get("prf-alg"), ikeb.get("dh-group")) if x),
        spi_i=ikeb.get("initiator-spi"), spi_r=ikeb.get("responder-spi")), sas=sas)
    json.dump(out, open(os.path.join(rundir, "sa.json"), "w"), indent=2)

    with open(os.path.join(rundir, "sa.lines"), "w") as f:
        f.write("# ESP SAs negotiated by strongSwan (IKEv2, PSK) between %s (%s) and %s (%s)\n"
                % (a["name"], a["outer"], b["name"], b["outer"]))
        f.write("# ESP %s%s%s, UDP-encapsulated; IKE %s\n" % (
            encr, "_%d" % sas[0]["encr_keysize"] if sas[0]["encr_keysize"] else "",
            "/" + integ if integ else "", out["ike"]["proposal"]))
        for sa in sas:
            f.write("# %s  inner %s -> %s; strongSwan already sent %d packet(s) on it: "
                    "a replacement sender starts at seq %d (iproute2: replay-oseq %d)\n"
                    % (sa["name"], sa["inner_src"], sa["inner_dst"], sa["packets_sent_by_strongswan"],
                       sa["packets_sent_by_strongswan"] + 1, sa["packets_sent_by_strongswan"]))
            f.write(sa["line"] + "\n")

    # The policies the replacement of B needs (B's view: out = B -> A).
    ab, ba = sas[0], sas[1]
    with open(os.path.join(rundir, "appliance.policies"), "w") as f:
        f.write("# xfrm policies for the side that replaces %s (owner of %s)\n" % (b["name"], b["outer"]))
        for d, sel_src, sel_dst, t in (("out", b["ts"], a["ts"], ba), ("in", a["ts"], b["ts"], ab),
                                       ("fwd", a["ts"], b["ts"], ab)):
            f.write("ip xfrm policy add src %s dst %s dir %s tmpl src %s dst %s proto esp reqid %d mode tunnel\n"
                    % (sel_src, sel_dst, d, t["src"], t["dst"], t["reqid"]))
    print(os.path.join(rundir, "sa.lines"))


# --------------------------------------------------------------------------------------------
# scapy helpers
# --------------------------------------------------------------------------------------------

def scapy_sa(sa):
    from scapy.all import IP, UDP
    from scapy.layers.ipsec import SecurityAssociation, ESP
    s = sa["scapy"]
    kw = dict(spi=sa["spi"], crypt_algo=s["crypt_algo"], crypt_key=bytes.fromhex(s["crypt_key"]),
              tunnel_header=IP(src=sa["src"], dst=sa["dst"]),
              nat_t_header=UDP(sport=sa["encap"]["sport"], dport=sa["encap"]["dport"]))
    if "crypt_icv_size" in s:
        kw["crypt_icv_size"] = s["crypt_icv_size"]
    if "auth_algo" in s:
        kw.update(auth_algo=s["auth_algo"], auth_key=bytes.fromhex(s["auth_key"]))
    return SecurityAssociation(ESP, **kw)


def _gf_mult(x, y):
    r = 0
    for i in range(127, -1, -1):
        if (y >> i) & 1:
            r ^= x
        x = (x >> 1) ^ (0xE1 << 120) if x & 1 else x >> 1
    return r


def _ghash(h, aad, ct):
    def blocks(b):
        b += bytes(-len(b) % 16)
        return [int.from_bytes(b[i:i + 16], "big") for i in range(0, len(b), 16)]
    x = 0
    lens = (len(aad) * 8).to_bytes(8, "big") + (len(ct) * 8).to_bytes(8, "big")
    for blk in blocks(aad) + blocks(ct) + [int.from_bytes(lens, "big")]:
        x = _gf_mult(x ^ blk, h)
    return x


def _gcm(key_salt, iv, aad, ct):
    """(tag for ct, CTR cipher object) for RFC 4106 nonce salt||iv."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key, salt = key_salt[:-4], key_salt[-4:]
    ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    h = int.from_bytes(ecb.update(bytes(16)), "big")
    ctr = Cipher(algorithms.AES(key), modes.CTR(salt + iv + b"\0\0\0\2"))
    return ecb, h, salt + iv + b"\0\0\0\1", ctr


def gcm_esp_open(key_salt, esp, icv_len):
    """RFC 4106 AES-GCM ESP opened with any ICV length (scapy/pyca only do 16-byte tags):
    AES from pyca, CTR and GHASH here. esp = SPI..ICV; returns payload + trailer, or raises."""
    aad, iv, ct, tag = esp[:8], esp[8:16], esp[16:-icv_len], esp[-icv_len:]
    ecb, h, j0, ctr = _gcm(key_salt, iv, aad, ct)
    t = (int.from_bytes(ecb.update(j0), "big") ^ _ghash(h, aad, ct)).to_bytes(16, "big")
    if t[:icv_len] != tag:
        raise ValueError("GCM ICV mismatch")
    d = ctr.decryptor()
    return d.update(ct) + d.finalize()


def gcm_esp_seal(key_salt, spi, seq, inner, icv_len):
    """The ESP (SPI..ICV) of an IPv4 packet in tunnel mode, AES-GCM with any ICV length."""
    pad = -(len(inner) + 2) % 4
    pt = inner + bytes(range(1, pad + 1)) + bytes([pad, 4])
    aad = spi.to_bytes(4, "big") + seq.to_bytes(4, "big")
    iv = os.urandom(8)
    ecb, h, j0, ctr = _gcm(key_salt, iv, aad, b"")
    e = ctr.encryptor()
    ct = e.update(pt) + e.finalize()
    t = (int.from_bytes(ecb.update(j0), "big") ^ _ghash(h, aad, ct)).to_bytes(16, "big")
    return aad + iv + ct + t[:icv_len]


def truncated_gcm(sa):
    s = sa["scapy"]
    return s["crypt_algo"] == "AES-GCM" and s.get("crypt_icv_size", 16) != 16


def opener(sa):
    """A function: outer IPv4 packet bytes (IP/UDP/ESP) -> the inner scapy packet; raises if the
    ICV is wrong. scapy does the work, except for AES-GCM with 8/12-byte ICVs (see above)."""
    from scapy.all import IP, UDP
    s = sa["scapy"]
    if truncated_gcm(sa):
        def open_truncated(ip_bytes):
            pt = gcm_esp_open(bytes.fromhex(s["crypt_key"]), bytes(IP(ip_bytes)[UDP].payload),
                              s["crypt_icv_size"])
            pad = pt[-2]
            if pt[-1] != 4 or pt[-2 - pad:-2] != bytes(range(1, pad + 1)):
                raise ValueError("bad ESP trailer")
            return IP(pt[:-2 - pad])
        return open_truncated
    sa_obj = scapy_sa(sa)
    return lambda ip_bytes: sa_obj.decrypt(IP(ip_bytes))


def sealer(sa):
    """A function: (inner IPv4 scapy packet, seq) -> ESP bytes (SPI..ICV)."""
    from scapy.all import raw
    from scapy.layers.ipsec import ESP
    if truncated_gcm(sa):
        key = bytes.fromhex(sa["scapy"]["crypt_key"])
        return lambda inner, seq: gcm_esp_seal(key, sa["spi"], seq, raw(inner), sa["scapy"]["crypt_icv_size"])
    sa_obj = scapy_sa(sa)
    # scapy 2.5 writes UDP length 8 around ESP-in-UDP (it sizes the UDP header before appending
    # the ESP), and a Linux receiver trims the datagram to nothing: keep only the ESP part.
    return lambda inner, seq: raw(sa_obj.encrypt(inner, seq_num=seq)[ESP])


def classify(udp_payload):
    """'keepalive' (RFC 3948 1-byte 0xFF), 'ike' (non-ESP marker), or 'esp'."""
    if len(udp_payload) == 1 and udp_payload[0] == 0xFF:
        return "keepalive"
    if len(udp_payload) >= 4 and udp_payload[:4] == b"\0\0\0\0":
        return "ike"
    if len(udp_payload) < 8:
        return "junk"
    return "esp"


def in_net(addr, net):
    return ipaddress.ip_address(addr) in ipaddress.ip_network(net, strict=False)


# --------------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------------

def verify(rundir, pcap, mode="both"):
    """mode both: echo requests A->B and replies B->A; oneway: only A->B, and B->A never used."""
    from scapy.all import rdpcap, raw, IP, UDP, ICMP
    conf = json.load(open(os.path.join(rundir, "sa.json")))
    sas = {(s["src"], s["dst"], s["spi"]): s for s in conf["sas"]}
    openers = {k: opener(v) for k, v in sas.items()}
    stats = {s["name"]: dict(ok=0, bad=0, requests=0, replies=0, max_seq=0) for s in conf["sas"]}
    other = dict(ike=0, keepalive=0, junk=0, unknown_spi=0)
    echoes = {}
    first = {}
    for p in rdpcap(pcap):
        if IP not in p or UDP not in p or 4500 not in (p[UDP].sport, p[UDP].dport):
            continue
        payload = bytes(p[UDP].payload)
        kind = classify(payload)
        if kind != "esp":
            other[kind] += 1
            continue
        spi = int.from_bytes(payload[:4], "big")
        seq = int.from_bytes(payload[4:8], "big")
        key = (p[IP].src, p[IP].dst, spi)
        if key not in sas:
            other["unknown_spi"] += 1
            continue
        sa = sas[key]
        first.setdefault(key, (bytes(p[IP]), sa))
        st = stats[sa["name"]]
        st["max_seq"] = max(st["max_seq"], seq)
        try:
            inner = openers[key](bytes(p[IP]))  # checks the ICV
        except Exception as e:  # noqa: BLE001 - any failure is a verification failure
            st["bad"] += 1
            print("  %s seq %d: decrypt FAILED: %s" % (sa["name"], seq, e))
            continue
        if not (IP in inner and ICMP in inner and in_net(inner[IP].src, sa["inner_src"])
                and in_net(inner[IP].dst, sa["inner_dst"])):
            st["bad"] += 1
            print("  %s seq %d: decrypted but not ICMP %s -> %s: %r"
                  % (sa["name"], seq, sa["inner_src"], sa["inner_dst"], inner.summary()))
            continue
        st["ok"] += 1
        t = inner[ICMP].type
        ident = (inner[ICMP].id, inner[ICMP].seq)
        if t == 8:
            st["requests"] += 1
            echoes.setdefault(ident, set()).add("req")
        elif t == 0:
            st["replies"] += 1
            echoes.setdefault(ident, set()).add("rep")
    # Control (the check is not vacuous): the first packet of each SA, opened with one key bit
    # flipped, must be refused or come out different. For CBC + HMAC the authentication key is
    # flipped too (the ICV must fail); a flipped CBC key alone only garbles the plaintext.
    control_ok = True
    for key, (pkt_bytes, sa) in first.items():
        good = raw(opener(sa)(pkt_bytes))
        fields = ["crypt_key"] + (["auth_key"] if "auth_key" in sa["scapy"] else [])
        for field in fields:
            bad = json.loads(json.dumps(sa))
            k = bytearray.fromhex(bad["scapy"][field])
            k[0] ^= 0x01
            bad["scapy"][field] = k.hex()
            try:
                same = raw(opener(bad)(pkt_bytes)) == good
            except Exception:  # noqa: BLE001 - refused: the expected outcome
                same = False
            if same:
                control_ok = False
                print("  control: %s opened unchanged with a wrong %s!" % (sa["name"], field))
    print("  control: one bit flipped in each key -> %s" % (
        "every SA's first packet refused or garbled" if control_ok else "FAILED"))
    paired = sum(1 for v in echoes.values() if v == {"req", "rep"})
    for name, st in stats.items():
        print("  %-12s decrypted+ICV ok %d, failed %d, echo requests %d, replies %d, highest seq %d"
              % (name, st["ok"], st["bad"], st["requests"], st["replies"], st["max_seq"]))
    print("  echo request/reply pairs matched across both SAs: %d; IKE on 4500: %d; NAT keepalives: %d; "
          "unknown SPI: %d" % (paired, other["ike"], other["keepalive"], other["unknown_spi"]))
    a2b, b2a = (stats[s["name"]] for s in conf["sas"])
    if mode == "oneway":
        ok = a2b["bad"] == 0 and a2b["requests"] >= 1 and b2a["ok"] + b2a["bad"] == 0
    else:
        ok = all(st["bad"] == 0 and st["ok"] >= 1 for st in stats.values()) and paired >= 1
    ok = ok and control_ok
    print("  VERIFY %s" % ("OK" if ok else "FAILED"))
    return 0 if ok else 1


# --------------------------------------------------------------------------------------------
# appliance stand-in
# --------------------------------------------------------------------------------------------

def appliance(rundir, tap, seconds, statefile, first_seq=None):
    """Own the B outer address on a TAP device and answer ICMP echo sent through B's SAs.

    Does what the Netfence appliance is meant to do once configured with sa.lines: ARP for its
    address, ESP-in-UDP in on the A->B SA, ESP-in-UDP out on the B->A SA (continuing the sequence
    numbers strongSwan already used), NAT keepalives and IKE (non-ESP marker) dropped."""
    import fcntl
    import select
    import struct
    import time
    from scapy.all import Ether, ARP, IP, UDP, ICMP, raw
    conf = json.load(open(os.path.join(rundir, "sa.json")))
    topo = conf["topology"]
    my_ip, peer_ip = topo["b"]["outer"], topo["a"]["outer"]
    inbound = next(s for s in conf["sas"] if s["dst"] == my_ip)
    outbound = next(s for s in conf["sas"] if s["src"] == my_ip)
    open_in, seal_out = opener(inbound), sealer(outbound)
    # strongSwan (B) already used sequence numbers 1..N on B->A; A's replay window has them, so
    # the replacement continues at N+1 (first_seq overrides, to show what happens otherwise).
    seq = outbound["packets_sent_by_strongswan"] if first_seq is None else first_seq - 1
    my_mac = "02:4e:46:00:00:02"
    # SS_STANDIN_SPORT: send from another UDP source port than the SA's (to probe the peer)
    sport = int(os.environ.get("SS_STANDIN_SPORT") or outbound["encap"]["sport"])

    TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454CA, 0x0002, 0x1000
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
    stats = dict(arp_replies=0, esp_in=0, esp_bad=0, echo_replies=0, own_requests=0, own_replies=0,
                 ike_dropped=0, keepalives_dropped=0, other=0, first_seq_out=seq + 1)
    peer_mac = None

    def save():
        with open(statefile + ".tmp", "w") as f:
            json.dump(stats, f)
        os.replace(statefile + ".tmp", statefile)

    save()
    print("appliance stand-in: TAP %s open, owning %s (%s), SA in %s, SA out %s from seq %d"
          % (tap, my_ip, my_mac, inbound["spi_hex"], outbound["spi_hex"], seq + 1), flush=True)
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        frame = Ether(os.read(fd, 65535))
        if ARP in frame and frame[ARP].op == 1 and frame[ARP].pdst == my_ip:
            rep = Ether(dst=frame.src, src=my_mac) / ARP(op=2, hwsrc=my_mac, psrc=my_ip,
                                                         hwdst=frame[ARP].hwsrc, pdst=frame[ARP].psrc)
            os.write(fd, raw(rep))
            stats["arp_replies"] += 1
            continue
        if not (IP in frame and frame[IP].dst == my_ip and UDP in frame and frame[UDP].dport == 4500):
            stats["other"] += 1
            if stats["other"] <= 5:
                print("  ignored: %s %s -> %s" % (frame.summary(), frame.src, frame.dst), flush=True)
            continue
        peer_mac = frame.src
        payload = bytes(frame[UDP].payload)
        kind = classify(payload)
        if kind == "keepalive":
            stats["keepalives_dropped"] += 1
            continue
        if kind != "esp":
            stats["ike_dropped"] += 1
            continue
        try:
            inner = open_in(raw(frame[IP]))
        except Exception as e:  # noqa: BLE001
            stats["esp_bad"] += 1
            print("  ESP from %s failed: %s" % (frame[IP].src, e), flush=True)
            continue
        stats["esp_in"] += 1

        def send(inner_pkt):
            nonlocal seq
            seq += 1
            # UDP checksum zero, as Netfence sends it (RFC 3948 allows it).
            outer = IP(src=my_ip, dst=peer_ip, ttl=64) / UDP(
                sport=sport, dport=outbound["encap"]["dport"], chksum=0) / seal_out(IP(raw(inner_pkt)), seq)
            os.write(fd, raw(Ether(dst=peer_mac, src=my_mac) / outer))

        if ICMP in inner and inner[ICMP].type == 8 and in_net(inner[IP].dst, outbound["inner_src"]):
            send(IP(src=inner[IP].dst, dst=inner[IP].src, ttl=64) / ICMP(
                type=0, id=inner[ICMP].id, seq=inner[ICMP].seq) / bytes(inner[ICMP].payload))
            stats["echo_replies"] += 1
            # ... and ask A's inner host something ourselves (A must answer through its SA).
            if stats["own_requests"] < 3:
                stats["own_requests"] += 1
                send(IP(src=inner[IP].dst, dst=inner[IP].src, ttl=64) / ICMP(
                    type=8, id=0x4E46, seq=stats["own_requests"]) / b"netfence-standin")
        elif ICMP in inner and inner[ICMP].type == 0 and inner[ICMP].id == 0x4E46:
            stats["own_replies"] += 1
        save()
    save()
    os.close(fd)
    print("appliance stand-in: done %s" % json.dumps(stats), flush=True)


def selftest():
    """The GCM code used for 8/12-byte ICVs agrees with pyca's AESGCM on 16-byte tags."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    for klen in (16, 24, 32):
        for n in (0, 1, 15, 16, 17, 100, 1400):
            k, salt, inner = os.urandom(klen), os.urandom(4), os.urandom(n)
            esp = gcm_esp_seal(k + salt, 0x1234, 7, inner, 16)
            pt = AESGCM(k).decrypt(salt + esp[8:16], esp[16:], esp[:8])
            assert pt[:n] == inner and pt[-1] == 4
            assert gcm_esp_open(k + salt, esp, 16) == pt
            assert gcm_esp_open(k + salt, esp[:-4], 12) == pt
            assert gcm_esp_open(k + salt, esp[:-8], 8) == pt
            bad = bytearray(esp)
            bad[-9] ^= 1
            for icv in (16, 12, 8):
                try:
                    gcm_esp_open(k + salt, bytes(bad[:len(bad) - (16 - icv)]), icv)
                    fail("selftest: a corrupted GCM packet was accepted")
                except ValueError:
                    pass
    print("selftest OK")


def main(argv):
    if argv[:1] == ["selftest"]:
        return selftest()
    if len(argv) >= 2 and argv[0] == "extract":
        return extract(argv[1])
    if len(argv) >= 3 and argv[0] == "verify":
        return verify(argv[1], argv[2], argv[3] if len(argv) > 3 else "both")
    if len(argv) >= 3 and argv[0] == "appliance":
        return appliance(argv[1], argv[2], float(argv[3]) if len(argv) > 3 else 20.0,
                         argv[4] if len(argv) > 4 else os.path.join(argv[1], "appliance.json"),
                         int(argv[5]) if len(argv) > 5 and argv[5] else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) or 0)
