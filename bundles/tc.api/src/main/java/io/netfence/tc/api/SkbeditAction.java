package io.netfence.tc.api;

/**
 * {@code skbedit [mark M[/MASK]] [priority P] [ptype T]}: sets packet metadata. A field left -1
 * (mark: {@code markMask} 0) is not touched. {@code ptype} is Linux's packet type
 * ({@link #PTYPE_HOST} host, 1 broadcast, 2 multicast, 3 otherhost).
 */
public record SkbeditAction(int index, Control control, long mark, long markMask, long priority, int ptype) implements Action {
    public static final int PTYPE_HOST = 0;
    public static final int PTYPE_BROADCAST = 1;
    public static final int PTYPE_MULTICAST = 2;
    public static final int PTYPE_OTHERHOST = 3;
    /** The words of the packet types, by value. */
    public static final java.util.List<String> PTYPES = java.util.List.of("host", "broadcast", "multicast", "otherhost");

    public SkbeditAction(int index, Control control, long mark, long markMask, long priority) {
        this(index, control, mark, markMask, priority, -1);
    }

    public SkbeditAction {
        if (markMask == 0 && priority < 0 && ptype < 0) {
            throw new TcException("skbedit: expected mark MARK[/MASK], priority MAJOR:MINOR or ptype TYPE");
        }
        if (ptype < -1 || ptype > PTYPE_OTHERHOST) {
            throw new TcException("ptype: expected host, otherhost, broadcast or multicast");
        }
        if (mark < 0 || mark > 0xFFFF_FFFFL || markMask < 0 || markMask > 0xFFFF_FFFFL) {
            throw new TcException("mark: expected a 32-bit value");
        }
        if (priority > 0xFFFF_FFFFL) {
            throw new TcException("priority: expected MAJOR:MINOR (16 bits each, hex)");
        }
        if (control == null) {
            control = Control.PIPE;
        }
    }

    @Override
    public String kind() {
        return "skbedit";
    }

    @Override
    public Action withIndex(int i) {
        return new SkbeditAction(i, control, mark, markMask, priority, ptype);
    }
}
