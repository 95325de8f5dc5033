package io.netfence.shell.gogo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkSpec;
import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.text.CommandException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command components as Gogo calls them: Gogo's own parser and argument coercion, no OSGi framework. */
class GogoCommandsTest {
    private final FakeNetService net = new FakeNetService();
    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CommandSessionImpl session;

    GogoCommandsTest() {
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("netfence", new IpShell(net), "ip");
        processor.addCommand("netfence", new LogShell(), "log");
        processor.addCommand("netfence", new BenchShell(net), "bench");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        net.addLink(new LinkSpec("eth0", "tap", 0, null, 0, List.of()));
        net.clearCalls();
    }

    @AfterEach
    void stop() {
        session.close();
        processor.stop();
        threadIO.stop();
    }

    @Test
    void ipRunsThroughGogo() throws Exception {
        assertNull(session.execute("ip link set eth0 up mtu 9000"));
        assertEquals(List.of("setLink"), net.callNames());
        assertEquals("1: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 qdisc noqueue state UP mode DEFAULT group default\n"
                + "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
                + "    tap numrxqueues 1", session.execute("netfence:ip -d l show dev eth0"));
        assertTrue(session.execute("ip -s -j link").toString().contains("\"stats64\":{\"rx\":{\"bytes\":0"));
        assertEquals("[]", session.execute("ip -j route"));
    }

    @Test
    void userErrorsReachGogoAsCommandExceptions() {
        net.clearCalls();
        CommandException e = assertThrows(CommandException.class, () -> session.execute("ip link set eth0 mtuu 1400"));
        assertEquals("Error: argument \"mtuu\" is wrong: expected one of up, down, mtu, address", e.getMessage());
        assertEquals("Error: argument \"mtuu\" is wrong: expected one of up, down, mtu, address", e.toString());
        assertEquals(List.of(), net.calls());
    }

    @Test
    void batchFilesAreRelativeToTheSessionDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.ip"), "address add 10.0.0.1/24 dev eth0\nlink set eth0 mtuu 1\n");
        session.currentDir(dir);
        CommandException e = assertThrows(CommandException.class, () -> session.execute("ip -batch net.ip"));
        assertEquals("line 2: Error: argument \"mtuu\" is wrong: expected one of up, down, mtu, address", e.getMessage());
        assertEquals(List.of("addAddress"), net.callNames());
        Files.writeString(dir.resolve("show.ip"), "address show\n");
        assertTrue(session.execute("ip -4 -batch show.ip").toString().endsWith("    inet 10.0.0.1/24 scope global eth0"));
    }

    @Test
    void helpAndLogThroughGogo() throws Exception {
        assertTrue(session.execute("ip help").toString().startsWith("Usage: ip [ OPTIONS ] OBJECT"));
        assertTrue(session.execute("ip route help").toString().startsWith("Usage: ip route"));
        assertTrue(session.execute("bench help").toString().startsWith("Usage: bench"));
        assertTrue(session.execute("log help").toString().startsWith("Usage: log"));
        assertTrue(session.execute("log show").toString().startsWith("LOGGER"));
    }

    @Test
    void componentsAreImmediateGogoCommandsWithDescriptors() throws Exception {
        for (Class<?> type : List.of(IpShell.class, FeatureShell.class, LogShell.class, BenchShell.class)) {
            String function = type.getSimpleName().replace("Shell", "").toLowerCase(java.util.Locale.ROOT);
            Method method = List.of(type.getMethods()).stream().filter(m -> m.getName().equals(function)).findFirst().orElseThrow();
            Descriptor descriptor = method.getAnnotation(Descriptor.class);
            assertNotNull(descriptor, type + " describes " + function);
            assertTrue(descriptor.value().length() > 40, descriptor.value());
            // the DS annotations are build-time only: check the component description bnd generated
            String xml = new String(GogoCommandsTest.class.getResourceAsStream("/OSGI-INF/" + type.getName() + ".xml")
                    .readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("immediate=\"true\""), xml);
            assertTrue(xml.contains("<property name=\"osgi.command.function\" type=\"String\" value=\"" + function + "\"/>"), xml);
            assertTrue(xml.contains("<property name=\"osgi.command.scope\" type=\"String\" value=\"netfence\"/>"), xml);
        }
    }
}
