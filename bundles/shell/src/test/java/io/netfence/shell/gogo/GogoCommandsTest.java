package io.netfence.shell.gogo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkSpec;
import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.testing.FakeXfrmService;
import io.netfence.shell.text.CommandException;
import io.netfence.xfrm.api.XfrmEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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
    private final FakeXfrmService xfrm = new FakeXfrmService();
    private final IpShell ipShell;
    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CommandSessionImpl session;

    GogoCommandsTest() {
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        ipShell = new IpShell(net);
        processor.addCommand("netfence", ipShell, "ip");
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
        for (Class<?> type : List.of(IpShell.class, FeatureShell.class, LogShell.class, BenchShell.class, PsampleShell.class)) {
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

    /** What SCR does with the optional, dynamic XfrmService reference: ip xfrm works while one is bound. */
    @Test
    void xfrmFollowsTheOptionalService() throws Exception {
        String add = "ip xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 reqid 1 mode tunnel"
                + " aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128";
        CommandException e = assertThrows(CommandException.class, () -> session.execute(add));
        assertTrue(e.getMessage().startsWith("Error: xfrm is not available"), e.getMessage());
        assertTrue(session.execute("ip xfrm state help").toString().startsWith("Usage: ip xfrm state"));
        ipShell.bindXfrm(xfrm);
        assertNull(session.execute(add));
        assertEquals(List.of("addState"), xfrm.callNames());
        assertTrue(session.execute("ip xfrm state").toString().contains("\taead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 128\n"));
        // a replacement is bound before the old one is unbound: only the old one's unbind clears it
        FakeXfrmService other = new FakeXfrmService();
        ipShell.bindXfrm(other);
        ipShell.unbindXfrm(xfrm);
        assertEquals("\t SAD count 0", session.execute("ip xfrm state count"));
        ipShell.unbindXfrm(other);
        assertThrows(CommandException.class, () -> session.execute("ip xfrm state count"));
    }

    /** The monitor prints on the session's output while it runs; interrupting its job (Ctrl-C) ends it. */
    @Test
    void monitorStreamsUntilInterrupted() throws Exception {
        ipShell.bindXfrm(xfrm);
        session.execute("ip xfrm policy add dir fwd");
        XfrmEvent event = new XfrmEvent(XfrmEvent.Kind.POLICY_DELETE, 0, null, xfrm.policies().getFirst().policy(), null);
        AtomicReference<Object> result = new AtomicReference<>("running");
        Thread command = new Thread(() -> {
            try {
                result.set(session.execute("ip xfrm monitor"));
            } catch (Exception ex) {
                result.set(ex);
            }
        });
        command.start();
        for (int i = 0; i < 500 && xfrm.listenerCount() == 0; i++) {
            Thread.sleep(10);
        }
        xfrm.emit(event);
        String expected = "Deleted src 0.0.0.0/0 dst 0.0.0.0/0\n\tdir fwd priority 0 ptype main\n";
        for (int i = 0; i < 500 && !out.toString(StandardCharsets.UTF_8).contains(expected); i++) {
            Thread.sleep(10);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(expected), out.toString(StandardCharsets.UTF_8));
        org.apache.felix.service.command.Job job = session.foregroundJob();
        job.interrupt();
        command.join(5000);
        assertFalse(command.isAlive());
        // Gogo's job, waiting for its pipe, reports the interruption itself (as for any command stopped by Ctrl-C)
        assertTrue(result.get() == null || result.get() instanceof InterruptedException, String.valueOf(result.get()));
        for (int i = 0; i < 500 && xfrm.listenerCount() != 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, xfrm.listenerCount(), "the monitor stopped and closed its handle");
    }

    @Test
    void theXfrmReferenceIsOptionalAndDynamic() throws Exception {
        String xml = new String(GogoCommandsTest.class.getResourceAsStream("/OSGI-INF/" + IpShell.class.getName() + ".xml")
                .readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(xml.contains("<reference name=\"Xfrm\" cardinality=\"0..1\" policy=\"dynamic\""
                + " interface=\"io.netfence.xfrm.api.XfrmService\" bind=\"bindXfrm\" unbind=\"unbindXfrm\"/>"), xml);
        // SCR reflects on the component class: no member may need the (optional) xfrm API to be described
        for (Method m : IpShell.class.getDeclaredMethods()) {
            for (Class<?> type : m.getParameterTypes()) {
                assertFalse(type.getName().startsWith("io.netfence.xfrm"), m.toString());
            }
            assertFalse(m.getReturnType().getName().startsWith("io.netfence.xfrm"), m.toString());
        }
        for (java.lang.reflect.Field f : IpShell.class.getDeclaredFields()) {
            assertFalse(f.getType().getName().startsWith("io.netfence.xfrm"), f.toString());
        }
    }
}
