package io.netfence.tc.api;

/** A transport port or an inclusive range of them ({@code dst_port 80}, {@code dst_port 1024-2047}). */
public record PortRange(int min, int max) {
    public PortRange {
        if (min < 0 || max > 0xFFFF || min > max) {
            throw new TcException("port: expected PORT or MIN-MAX with 0 <= MIN <= MAX <= 65535");
        }
    }

    public static PortRange exactly(int port) {
        return new PortRange(port, port);
    }

    public boolean isRange() {
        return min != max;
    }

    public boolean matches(int port) {
        return port >= min && port <= max;
    }

    @Override
    public String toString() {
        return isRange() ? min + "-" + max : Integer.toString(min);
    }
}
