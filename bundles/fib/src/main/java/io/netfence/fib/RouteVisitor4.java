package io.netfence.fib;

/** Receives the routes of an {@link Ipv4Fib} in ascending order (see {@link Ipv4Fib#forEach}). */
@FunctionalInterface
public interface RouteVisitor4 {
    /**
     * @param prefix  network address, host bits zero
     * @param length  prefix length, 0..32
     * @param nextHop next-hop id stored for the prefix
     */
    void visit(int prefix, int length, int nextHop);
}
