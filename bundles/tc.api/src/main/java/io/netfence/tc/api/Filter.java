package io.netfence.tc.api;

import java.util.List;

/**
 * A filter: in block {@code where}, chain {@code chain}, at priority {@code prio} (lower first;
 * 0 on add lets the table choose), for frames of Ethernet type {@code protocol}
 * ({@link EtherTypes#ALL} for all), with a handle ({@code 0} on add: the table chooses), its
 * classifier, its action list and flags. Filters of one (chain, prio, protocol) form one
 * classifier instance, of one kind, as in Linux.
 */
public record Filter(BlockRef where, int chain, int prio, int protocol, long handle, Classifier classifier, List<Action> actions,
        boolean skipSw, boolean skipHw, long classid) {
    public Filter {
        if (where == null) {
            throw new TcException("dev: expected dev DEV ingress|egress or block N");
        }
        if (chain < 0 || chain > TcLimits.MAX_CHAIN) {
            throw new TcException("chain: expected an index from 0 to " + TcLimits.MAX_CHAIN);
        }
        if (prio < 0 || prio > TcLimits.MAX_PRIO) {
            throw new TcException("prio: expected 1 to 65535");
        }
        if (protocol < 0 || protocol > 0xFFFF) {
            throw new TcException("protocol: expected all, ip, ipv6, 802.1Q, 802.1ad, arp or a number");
        }
        if (handle < 0 || handle > 0xFFFF_FFFFL) {
            throw new TcException("handle: expected a 32-bit number");
        }
        actions = actions == null ? List.of() : List.copyOf(actions);
        if (actions.size() > TcLimits.MAX_ACTIONS) {
            throw new TcException("action: at most " + TcLimits.MAX_ACTIONS + " actions per filter");
        }
        if (skipSw && skipHw) {
            throw new TcException("skip_sw: cannot be combined with skip_hw");
        }
        if (classifier instanceof FlowerMatch f) {
            f.validate(protocol);
        }
    }

    public Filter withPrio(int p) {
        return new Filter(where, chain, p, protocol, handle, classifier, actions, skipSw, skipHw, classid);
    }

    public Filter withHandle(long h) {
        return new Filter(where, chain, prio, protocol, h, classifier, actions, skipSw, skipHw, classid);
    }

    public Filter withActions(List<Action> a) {
        return new Filter(where, chain, prio, protocol, handle, classifier, a, skipSw, skipHw, classid);
    }
}
