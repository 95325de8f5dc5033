package io.netfence.shell.tc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.shell.testing.TestJson;
import io.netfence.shell.text.CommandException;
import io.netfence.tc.api.PacketSample;
import io.netfence.tc.api.PsampleGroup;
import io.netfence.tc.api.PsampleService;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "psample ..." against a fake service holding samples per group. */
class PsampleCommandTest {
    /** A sample service with fixed groups; take empties a group, peek does not. */
    private static final class FakePsample implements PsampleService {
        final Map<Integer, List<PacketSample>> held = new TreeMap<>();

        @Override
        public List<PsampleGroup> groups() {
            return held.entrySet().stream().map(e -> new PsampleGroup(e.getKey(), e.getValue().size() + 3L, e.getValue().size(),
                    1024, 128, 3)).toList();
        }

        @Override
        public List<PacketSample> take(int group) {
            List<PacketSample> got = peek(group);
            held.computeIfPresent(group, (g, l) -> new ArrayList<>());
            return got;
        }

        @Override
        public List<PacketSample> peek(int group) {
            return List.copyOf(held.getOrDefault(group, List.of()));
        }
    }

    private final FakePsample service = new FakePsample();
    private final PsampleCommand cmd = new PsampleCommand(service);
    private static final byte[] FRAME = new byte[40];

    static {
        for (int i = 0; i < FRAME.length; i++) {
            FRAME[i] = (byte) i;
        }
    }

    PsampleCommandTest() {
        service.held.put(5, new ArrayList<>(List.of(
                new PacketSample(5, 3, 1, 0, 242, 100, 1_700_000_000_123_456_789L, FRAME),
                new PacketSample(5, 4, 2, 3, 60, 100, 1_700_000_001_000_000_000L, Arrays.copyOf(FRAME, 8)))));
        service.held.put(7, new ArrayList<>());
    }

    private String run(String... words) {
        return cmd.execute(List.of(words));
    }

    @Test
    void showsTheSamplesOfAGroupAndTakesThem() {
        assertEquals("""
                group 5 seq 3 iif 1 oif 0 origsize 242 rate 100 len 40 time 2023-11-14T22:13:20.123456789Z
                    0000: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f ...
                group 5 seq 4 iif 2 oif 3 origsize 60 rate 100 len 8 time 2023-11-14T22:13:21Z
                    0000: 00 01 02 03 04 05 06 07""", run("-k", "-g", "5"));
        assertTrue(run("-k", "-v", "-g", "5").contains("\n    0020: 20 21 22 23 24 25 26 27\n"), "-v dumps all 40 bytes");
        assertEquals(2, service.held.get(5).size(), "-k keeps them");
        String shown = run("-g", "5");
        assertTrue(shown.startsWith("group 5 seq 3"), shown);
        assertEquals("", run("-g", "5"), "read: taken");
        assertEquals("", run("-g", "9"), "a group no action uses has nothing");
    }

    @Test
    void jsonListsEverySampleWithItsData() {
        List<?> json = (List<?>) TestJson.parse(run("-j", "-k"));
        assertEquals(2, json.size());
        Map<?, ?> first = (Map<?, ?>) json.getFirst();
        assertEquals(5L, first.get("group"));
        assertEquals(3L, first.get("seq"));
        assertEquals(1L, first.get("iifindex"));
        assertEquals(0L, first.get("oifindex"));
        assertEquals(242L, first.get("origsize"));
        assertEquals(100L, first.get("rate"));
        assertEquals(java.util.HexFormat.of().formatHex(FRAME), first.get("data"));
    }

    @Test
    void listsTheGroups() {
        String list = run("-l");
        assertTrue(list.startsWith("GROUP"), list);
        assertTrue(list.contains("MAX_BYTES") && list.contains("DROPPED"), list);
        assertEquals(3, list.lines().count(), list);
        List<?> json = (List<?>) TestJson.parse(run("-j", "-l"));
        assertEquals(Map.of("group", 5L, "seq", 5L, "held", 2L, "capacity", 1024L, "max_bytes", 128L, "dropped", 3L), json.getFirst());
    }

    @Test
    void writesAGroupAsPcap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("g5.pcap");
        assertEquals("2 samples of group 5 written to " + file, run("-g", "5", "-w", file.toString()));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt());
        assertEquals(2, b.getShort());
        assertEquals(4, b.getShort());
        b.position(20);
        assertEquals(1, b.getInt(), "LINKTYPE_ETHERNET");
        assertEquals(1_700_000_000, b.getInt());
        assertEquals(123_456, b.getInt(), "microseconds");
        assertEquals(40, b.getInt(), "captured");
        assertEquals(242, b.getInt(), "original length");
        byte[] data = new byte[40];
        b.get(data);
        assertArrayEquals(FRAME, data);
        b.position(b.position() + 8);
        assertEquals(8, b.getInt());
        assertEquals(60, b.getInt());
        assertEquals(24 + 16 + 40 + 16 + 8, Files.size(file));
        assertTrue(service.held.get(5).isEmpty(), "written samples are taken");
    }

    @Test
    void badWordsAreNamedAndHelpExplains() {
        assertTrue(assertThrows(CommandException.class, () -> run("-x")).getMessage().contains("-x"));
        assertTrue(assertThrows(CommandException.class, () -> run("-w", "/tmp/x.pcap")).getMessage().contains("-g GROUP"));
        assertTrue(assertThrows(CommandException.class, () -> run("-g", "abc")).getMessage().contains("abc"));
        assertTrue(assertThrows(CommandException.class, () -> run("-l", "-g", "5")).getMessage().contains("-l"));
        String help = run("help");
        assertTrue(help.startsWith("Usage: psample"), help);
        for (String word : List.of("-g GROUP", "-w FILE", "-l", "-k", "-v", "1024")) {
            assertTrue(help.contains(word), word);
        }
        assertEquals(help, run("-h"));
        assertEquals(2, service.held.get(5).size(), "nothing taken by a bad or help command");
    }
}
