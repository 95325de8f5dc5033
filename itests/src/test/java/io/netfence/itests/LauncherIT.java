package io.netfence.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.netfence.features.model.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The start command's contract, with the real launcher jar of the assembled appliance (as
 * {@code ./netfence} runs it, in a JVM of its own): -b stops at the first error naming its line and
 * word and exits 1, -force carries on and still exits 1, -c prints JSON (and the result of each
 * statement of a line), a bad option exits 2 with the
 * usage, and {@code exit} typed on the console stops the appliance.
 */
public class LauncherIT {
    private static Path work;

    /** What a run printed and how it ended. */
    record Run(int code, String out, String err) {
    }

    @BeforeClass
    public static void folder() throws IOException {
        work = Path.of(System.getProperty("netfence.itest.dir", "target/itest")).toAbsolutePath().resolve("launcher");
        Appliance.deleteTree(work);
        Files.createDirectories(work);
    }

    /** Runs the launcher with {@code args}; {@code stdin} is written and the input left open while it runs. */
    private static Run launch(Path data, String stdin, String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Dnetfence.home=" + Appliance.DIST,
                "-jar", Appliance.DIST.resolve("bin/netfence-launcher.jar").toString(), "--data", data.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        OutputStream in = p.getOutputStream();
        if (stdin != null) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the launcher did not stop: " + cmd + "\n" + Files.readString(out) + Files.readString(err));
            }
        } finally {
            in.close();
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path batch(String name, String... lines) throws IOException {
        return Files.writeString(work.resolve(name), String.join("\n", lines) + "\n");
    }

    /** The link names the appliance with {@code data} has, read as JSON through -c. */
    @SuppressWarnings("unchecked")
    private static List<String> links(Path data) throws Exception {
        Run r = launch(data, null, "-c", "ip -j link show");
        assertEquals(r.err, 0, r.code);
        List<String> names = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(r.out.strip())) {
            names.add((String) ((Map<String, Object>) o).get("ifname"));
        }
        return names;
    }

    @Test
    public void aBatchStopsAtItsFirstErrorWithTheLineNumber() throws Exception {
        Path data = work.resolve("batch");
        Path file = batch("stop.cmds",
                "ip link add b0 type sink",
                "# a comment",
                "ip link add b1 typo sink",
                "ip link add b2 type sink");
        Run r = launch(data, null, "-b", file.toString());
        assertEquals(r.err, 1, r.code);
        assertTrue(r.err, r.err.contains("Command failed " + file + ":3: "));
        assertTrue(r.err, r.err.contains("\"typo\""));
        assertEquals(r.err, 1, r.err.strip().lines().count());
        List<String> names = links(data);
        assertTrue(names.toString(), names.contains("b0"));
        assertFalse("line 4 did not run: " + names, names.contains("b2"));
    }

    @Test
    public void forceRunsEveryLineAndStillExitsOne() throws Exception {
        Path data = work.resolve("force");
        Path file = batch("force.cmds",
                "ip link add f0 type sink",
                "ip link add f0 type sink",
                "ip link add f1 typo sink",
                "ip link add f2 type sink");
        Run r = launch(data, null, "-b", file.toString(), "-force");
        assertEquals(r.err, 1, r.code);
        assertTrue(r.err, r.err.contains(file + ":2: "));
        assertTrue(r.err, r.err.contains(file + ":3: ") && r.err.contains("\"typo\""));
        assertEquals(List.of("lo", "f0", "f2"), links(data));
    }

    @Test
    public void commandPrintsJsonAndAFailedOneExitsOne() throws Exception {
        Path data = work.resolve("command");
        assertEquals(List.of("lo"), links(data));
        // several statements: each one's result is printed, not only the last one's
        Run two = launch(data, null, "-c", "ip link show lo; ip -j link show lo");
        assertEquals(two.err, 0, two.code);
        List<String> lines = two.out.strip().lines().toList();
        assertTrue(two.out, lines.getFirst().startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>"));
        assertTrue(two.out, Json.parse(lines.getLast()) instanceof List<?>);
        Run bad = launch(data, null, "-c", "ip link set lo mtuu 1400");
        assertEquals(1, bad.code);
        assertEquals("Error: argument \"mtuu\" is wrong: expected one of up, down, mtu, address", bad.err.strip());
    }

    @Test
    public void anUnknownOptionExitsTwoWithTheUsage() throws Exception {
        Run r = launch(work.resolve("usage"), null, "-x");
        assertEquals(2, r.code);
        assertTrue(r.err, r.err.startsWith("netfence: unknown option \"-x\""));
        assertTrue(r.err, r.err.contains("Usage: netfence"));
    }

    @Test
    public void exitOnTheConsoleStopsTheAppliance() throws Exception {
        // stdin stays open: the appliance stops because of exit, not because input ended
        Run r = launch(work.resolve("console"), "ip link add c0 type sink\nexit\n");
        assertEquals(r.out + r.err, 0, r.code);
        assertFalse(r.err, r.err.contains("Cannot coerce"));
        assertEquals(List.of("lo", "c0"), links(work.resolve("console")));
    }
}
