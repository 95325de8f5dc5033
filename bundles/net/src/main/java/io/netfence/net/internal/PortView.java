package io.netfence.net.internal;

import io.netfence.net.spi.PortDevice;

/**
 * What the packet path needs to know about one link, frozen in a {@link DataplaneConfig}.
 * Immutable: arrays are never written after construction.
 */
final class PortView {
    final int index;
    final String name;
    final PortDevice device;
    final int mtu;
    final long mac;
    /** Administratively up and its driver attached (the device is open). */
    final boolean up;
    final boolean loopback;
    /** Non-zero for an xfrm interface: its if_id (cached from the device). */
    final int xfrmIfId;
    /** The device can send IP fragments (see {@link PortDevice#sendsFragments()}). */
    final boolean fragments;
    /** IPv4 addresses of the link with their prefix lengths and directed-broadcast address (0 when none, /31 and /32). */
    final int[] v4Address;
    final int[] v4Length;
    final int[] v4Broadcast;
    /** IPv6 addresses of the link (link-local included) with prefix lengths. */
    final long[] v6Hi;
    final long[] v6Lo;
    final int[] v6Length;

    PortView(int index, String name, PortDevice device, int mtu, long mac, boolean up, boolean loopback,
             int[] v4Address, int[] v4Length, long[] v6Hi, long[] v6Lo, int[] v6Length) {
        this.index = index;
        this.name = name;
        this.device = device;
        this.mtu = mtu;
        this.mac = mac;
        this.up = up;
        this.loopback = loopback;
        this.xfrmIfId = device == null ? 0 : device.xfrmIfId();
        this.fragments = device == null || device.sendsFragments();
        this.v4Address = v4Address;
        this.v4Length = v4Length;
        this.v4Broadcast = new int[v4Address.length];
        for (int i = 0; i < v4Address.length; i++) {
            int len = v4Length[i];
            v4Broadcast[i] = len <= 30 ? v4Address[i] | (len == 0 ? -1 : (1 << (32 - len)) - 1) : 0;
        }
        this.v6Hi = v6Hi;
        this.v6Lo = v6Lo;
        this.v6Length = v6Length;
    }

    boolean hasV4(int address) {
        for (int a : v4Address) {
            if (a == address) {
                return true;
            }
        }
        return false;
    }

    boolean isV4Broadcast(int address) {
        for (int b : v4Broadcast) {
            if (b == address && b != 0) {
                return true;
            }
        }
        return false;
    }

    boolean hasV6(long hi, long lo) {
        for (int i = 0; i < v6Hi.length; i++) {
            if (v6Hi[i] == hi && v6Lo[i] == lo) {
                return true;
            }
        }
        return false;
    }

    /** The IPv4 source for packets from this port towards {@code peer}: an address on the peer's subnet, else the first one; 0 if none. */
    int v4SourceFor(int peer) {
        for (int i = 0; i < v4Address.length; i++) {
            int len = v4Length[i];
            int mask = len == 0 ? 0 : -1 << (32 - len);
            if (((v4Address[i] ^ peer) & mask) == 0) {
                return v4Address[i];
            }
        }
        return v4Address.length > 0 ? v4Address[0] : 0;
    }

    /** Index of this port's link-local IPv6 address, or -1. */
    int v6LinkLocal() {
        for (int i = 0; i < v6Hi.length; i++) {
            if (Addresses.isV6LinkLocal(v6Hi[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Index of this port's first non-link-local IPv6 address, or -1. */
    int v6Global() {
        for (int i = 0; i < v6Hi.length; i++) {
            if (!Addresses.isV6LinkLocal(v6Hi[i])) {
                return i;
            }
        }
        return -1;
    }
}
