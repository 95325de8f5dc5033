package io.netfence.net.api;

import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import java.util.List;
import java.util.Set;

/**
 * The dataplane's control plane. Thread-safe. Every mutating method validates everything before
 * changing anything, so a refused call ({@link NetException}) leaves the configuration exactly as it was.
 * Changes reach the workers between two batches, without locks on the packet path.
 */
public interface NetService {

    // --- links -------------------------------------------------------------------------------

    /** The link types whose drivers are present now (pcap, tap, gen, sink, ...). */
    Set<String> linkTypes();

    /** Usage text of a driver's arguments, e.g. "rx FILE tx FILE"; throws if the type is unknown. */
    String linkTypeUsage(String type);

    /** Creates a link (down, as on Linux); returns its snapshot. */
    LinkInfo addLink(LinkSpec spec);

    void deleteLink(String name);

    void setLink(String name, LinkChange change);

    List<LinkInfo> links();

    /** Throws NetException("Device \"NAME\" does not exist.") when absent. */
    LinkInfo link(String name);

    // --- addresses ---------------------------------------------------------------------------

    /** {@code ip addr add PREFIX dev DEV}: also installs the local and the connected route. */
    void addAddress(String device, IpPrefix prefix);

    void deleteAddress(String device, IpPrefix prefix);

    /** Removes every address of a device (or of all devices when null) of the given family (0 = both). */
    void flushAddresses(String device, int family);

    List<AddressInfo> addresses();

    // --- routes ------------------------------------------------------------------------------

    void addRoute(Route route);

    /** Adds, or replaces the route with the same prefix and metric. */
    void replaceRoute(Route route);

    /** Deletes the route with this prefix (and metric, when {@code metric >= 0}). */
    void deleteRoute(IpPrefix prefix, int metric);

    /** Loads many routes at once (batch files, benchmarks): same validation, one publication. */
    void addRoutes(List<Route> routes);

    /** Removes every static route of a family (4 or 6; 0 = both). */
    void flushRoutes(int family);

    /** Routes of a family (4 or 6; 0 = both), sorted by prefix; local routes are included. */
    List<Route> routes(int family);

    int routeCount(int family);

    /** What the dataplane would do with a packet to {@code destination}. */
    RouteLookup routeGet(IpAddress destination);

    // --- neighbours --------------------------------------------------------------------------

    /** A static (PERMANENT) neighbour entry; replaces any learned one. */
    void addNeighbour(String device, IpAddress address, MacAddress mac);

    void deleteNeighbour(String device, IpAddress address);

    /** Removes dynamic entries (of a device, or all when null). */
    void flushNeighbours(String device);

    List<NeighbourInfo> neighbours();

    // --- workers -----------------------------------------------------------------------------

    /** Number of dataplane worker threads (default: the number of cores). */
    int workerCount();

    /** Changes the number of workers; RX queues are re-spread over them. 1 to 64. */
    void setWorkerCount(int workers);

    List<WorkerInfo> workers();

    /** Sets every counter (links, drops, workers) back to zero. */
    void clearCounters();
}
