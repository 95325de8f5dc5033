package io.netfence.xfrm.api;

import java.util.List;

/**
 * A security policy ({@code ip xfrm policy add ...}). Identified by (dir, selector, mark, if_id)
 * or by its index. Lower priority values win; among equal priorities the older policy wins, as on
 * Linux.
 *
 * @param index     Linux's policy index ({@code 8 * n + dir}); 0 asks the core to assign one
 * @param templates the SAs to apply, outermost last (one for Netfence so far); empty with ALLOW
 *                  means "pass in clear"
 * @param offload   packet-offload device, or null
 */
public record XfrmPolicy(Selector selector, XfrmDirection direction, int priority, Action action, int index,
                         List<Template> templates, int ifId, Mark mark, Lifetime lifetime, OffloadSpec offload) {
    public enum Action {
        ALLOW, BLOCK;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public XfrmPolicy {
        templates = List.copyOf(templates);
    }

    /** The same policy with another index (the core assigns them). */
    public XfrmPolicy withIndex(int newIndex) {
        return new XfrmPolicy(selector, direction, priority, action, newIndex, templates, ifId, mark, lifetime, offload);
    }

    /** Whether two policies occupy the same place in the SPD (same dir, selector, mark, if_id). */
    public boolean sameKey(XfrmPolicy o) {
        return direction == o.direction && selector.equals(o.selector) && mark.equals(o.mark) && ifId == o.ifId;
    }
}
