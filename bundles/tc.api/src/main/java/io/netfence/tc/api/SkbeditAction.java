package io.netfence.tc.api;

/**
 * {@code skbedit [mark M[/MASK]] [priority P] [ptype T] [queue_mapping Q]}: sets packet metadata.
 * A field left -1 (mark: {@code markMask} 0) is not touched.
 */
public record SkbeditAction(int index, Control control, long mark, long markMask, long priority) implements Action {
    public SkbeditAction {
        if (markMask == 0 && priority < 0) {
            throw new TcException("skbedit: expected mark MARK[/MASK] or priority MAJOR:MINOR");
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
        return new SkbeditAction(i, control, mark, markMask, priority);
    }
}
