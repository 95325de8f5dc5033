package io.netfence.fib;

/** Receives the routes of an {@link Ipv6Fib} in ascending order (see {@link Ipv6Fib#forEach}). */
@FunctionalInterface
public interface RouteVisitor6 {
    /**
     * @param prefixHi upper 64 bits of the network address, host bits zero
     * @param prefixLo lower 64 bits of the network address, host bits zero
     * @param length   prefix length, 0..128
     * @param nextHop  next-hop id stored for the prefix
     */
    void visit(long prefixHi, long prefixLo, int length, int nextHop);
}
