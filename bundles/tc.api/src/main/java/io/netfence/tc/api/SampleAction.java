package io.netfence.tc.api;

/**
 * {@code sample rate N group G [trunc SIZE]}: one packet in N (on average) is copied to sample
 * group G (psample), at most SIZE bytes of it; the packet itself goes on ({@code pipe}).
 */
public record SampleAction(int index, Control control, int rate, int group, int truncate) implements Action {
    public SampleAction {
        if (rate < 1) {
            throw new TcException("rate: expected 1 in N packets, N at least 1");
        }
        if (group < 0) {
            throw new TcException("group: expected a sample group number");
        }
        if (truncate < 0) {
            throw new TcException("trunc: expected a byte count");
        }
        if (control == null) {
            control = Control.PIPE;
        }
    }

    @Override
    public String kind() {
        return "sample";
    }

    @Override
    public Action withIndex(int i) {
        return new SampleAction(i, control, rate, group, truncate);
    }
}
