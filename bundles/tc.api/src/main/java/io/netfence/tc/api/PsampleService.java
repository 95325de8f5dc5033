package io.netfence.tc.api;

import java.util.List;

/**
 * The packets tc's {@code sample} action picked, by sample group, as Linux's psample module
 * delivers them on its netlink channel (what {@code psample -g N} from libpsample reads). Each
 * group holds a bounded queue of unread samples: reading takes them, as reading the netlink
 * socket does; when a group's queue is full a new sample is dropped and counted, as netlink drops
 * a multicast to a full socket buffer (the reader sees the gap in {@link PacketSample#seq()}).
 */
public interface PsampleService {
    /** Every sample group some sample action has used, by number. */
    List<PsampleGroup> groups();

    /** Takes the unread samples of {@code group}, oldest first (none if the group does not exist). */
    List<PacketSample> take(int group);

    /** The unread samples of {@code group}, oldest first, leaving them in place. */
    List<PacketSample> peek(int group);
}
