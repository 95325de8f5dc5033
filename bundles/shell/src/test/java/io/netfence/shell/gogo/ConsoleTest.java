package io.netfence.shell.gogo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.features.api.FeatureInfo;
import io.netfence.features.api.FeatureService;
import io.netfence.net.api.LinkSpec;
import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.text.CommandException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.felix.gogo.jline.Builtin;
import org.apache.felix.gogo.jline.Parser;
import org.apache.felix.gogo.jline.Posix;
import org.apache.felix.gogo.jline.Procedural;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The console's profile with the Netfence commands. Tab completion as the console does it: the real etc/gosh_profile evaluated in a Gogo session with
 * gogo.jline's commands (its {@code complete} records the completions), then JLine's completer,
 * given the line parsed by gogo.jline's parser, evaluates the recorded scripts the way the console's
 * completion environment does.
 */
class ConsoleTest {
    private final FakeNetService net = new FakeNetService();
    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private CommandProcessorImpl processor;
    private CommandSessionImpl session;
    private Terminal terminal;
    private LineReader reader;
    private Completers.Completer completer;
    /** Calls made on the framework bundle (bundle 0). */
    private final List<String> frameworkCalls = new ArrayList<>();

    /** A BundleContext whose bundle 0 records stop() instead of stopping anything. */
    private BundleContext frameworkContext() {
        Bundle framework = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> {
                    frameworkCalls.add(method.getName());
                    return null;
                });
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getBundle") && args != null && args.length == 1 && Long.valueOf(0).equals(args[0])) {
                        return framework;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Two features, one installed. */
    private static final class Features implements FeatureService {
        private final List<FeatureInfo> all = List.of(
                new FeatureInfo("netfence-shell", "io.netfence:netfence-shell:1", "Shell", "", List.of(), true, true),
                new FeatureInfo("netfence-extra", "io.netfence:netfence-extra:1", "Extra", "", List.of(), false, false));

        @Override
        public List<FeatureInfo> features() {
            return all;
        }

        @Override
        public FeatureInfo feature(String name) {
            return all.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
        }

        @Override
        public FeatureInfo install(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FeatureInfo uninstall(String name) {
            throw new UnsupportedOperationException();
        }
    }

    @BeforeEach
    void start() throws Exception {
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        // what gogo.runtime's and gogo.jline's activators register
        processor.addCommand("gogo", processor, "addcommand");
        addAll("gogo", new Builtin(), Builtin.class);
        addAll("gogo", new Procedural(), Procedural.class);
        addAll("gogo", new Posix(processor), Posix.class);
        net.addLink(new LinkSpec("eth0", "tap", 0, null, 0, List.of()));
        net.addLink(new LinkSpec("wan1", "tap", 0, null, 0, List.of()));
        processor.addCommand("netfence", new IpShell(net), "ip");
        processor.addCommand("netfence", new TcShell(), "tc");
        processor.addCommand("netfence", new LogShell(), "log");
        processor.addCommand("netfence", new BenchShell(net), "bench");
        processor.addCommand("netfence", new DataplaneShell(net), "dataplane");
        processor.addCommand("netfence", new FeatureShell(new Features()), "feature");
        processor.addCommand("netfence", new CryptoShell(), "crypto");
        CompleteShell complete = new CompleteShell();
        complete.bindNet(net);
        complete.bindFeatures(new Features());
        processor.addCommand("netfence", complete, "__complete");
        processor.addCommand("netfence", new ExitShell(frameworkContext()), "exit");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        terminal = new DumbTerminal(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        reader = LineReaderBuilder.builder().terminal(terminal).build();
        // what the console sets before it runs the profile
        session.put(Shell.VAR_READER, reader);
        session.put(Shell.VAR_TERMINAL, terminal);
        session.put(Shell.VAR_CONTEXT, this);
        session.put(Shell.VAR_COMPLETIONS, new HashMap<>());
        session.put(".gosh_quiet", true);
        session.execute(Files.readString(Path.of("../../etc/gosh_profile")));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("ERROR"), "the profile ran without error: " + printed);

        completer = new Completers.Completer(new Completers.CompletionEnvironment() {
            @Override
            public Map<String, List<Completers.CompletionData>> getCompletions() {
                return Shell.getCompletions(session);
            }

            @Override
            public Set<String> getCommands() {
                return Shell.getCommands(session);
            }

            @Override
            public String resolveCommand(String command) {
                return Shell.resolve(session, command);
            }

            @Override
            public String commandName(String command) {
                return command.substring(command.indexOf(':') + 1);
            }

            @Override
            public Object evaluate(LineReader r, ParsedLine line, String func) throws Exception {
                session.put(Shell.VAR_COMMAND_LINE, line);
                return session.execute(func);
            }
        });
    }

    private void addAll(String scope, Object target, Class<?> type) throws ReflectiveOperationException {
        Field f = type.getDeclaredField("functions");
        f.setAccessible(true);
        for (String name : (String[]) f.get(null)) {
            processor.addCommand(scope, target, name);
        }
    }

    @AfterEach
    void stop() throws Exception {
        session.close();
        processor.stop();
        threadIO.stop();
        terminal.close();
    }

    /** The candidates JLine would offer for the line, cursor at its end, filtered by the word typed. */
    private List<String> complete(String line) {
        ParsedLine parsed = new Parser().parse(line, line.length(), org.jline.reader.Parser.ParseContext.COMPLETE);
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(reader, parsed, candidates);
        String typed = parsed.word().substring(0, parsed.wordCursor());
        return candidates.stream().map(Candidate::value).filter(v -> v.startsWith(typed)).distinct().toList();
    }

    @Test
    void objectsThenCommandsThenKeywords() {
        assertEquals(List.of("address", "route", "neigh", "link", "xfrm", "help"), complete("ip "));
        assertEquals(List.of("link"), complete("ip li"));
        assertEquals(List.of("add", "set", "delete", "show", "help"), complete("ip link "));
        assertEquals(List.of("add", "set", "delete", "show", "help"), complete("ip -s -d link "));
        assertEquals(List.of("state", "policy", "monitor", "help"), complete("ip xfrm "));
        assertEquals(List.of("in", "out", "fwd"), complete("ip xfrm policy add src 10.0.0.0/8 dir "));
        assertEquals(List.of("inet", "inet6"), complete("ip -f "));
        assertTrue(complete("ip route add 10.0.0.0/8 ").containsAll(List.of("via", "dev", "metric")));
        assertFalse(complete("ip route add 10.0.0.0/8 via 10.1.0.1 ").contains("via"), "a keyword given is not offered again");
        assertEquals(List.of(), complete("ip route add 10.0.0.0/8 via "), "an address is not guessed");
    }

    @Test
    void deviceNamesAfterDevAndWhereADeviceIsExpected() {
        assertEquals(List.of("eth0", "wan1"), complete("ip addr add 10.0.0.1/24 dev "));
        assertEquals(List.of("wan1"), complete("ip a add 10.0.0.1/24 dev w"));
        assertEquals(List.of("eth0", "wan1", "dev", "up", "down", "mtu", "address"), complete("ip link set "));
        assertEquals(List.of("dev", "up", "down", "mtu", "address"), complete("ip link set eth0 "));
        assertTrue(complete("ip l sh ").containsAll(List.of("eth0", "wan1", "dev", "up", "type")));
        assertEquals(List.of("eth0", "wan1"), complete("tc qdisc add dev "));
        assertEquals(List.of("eth0", "wan1"), complete("tc filter add dev eth0 ingress flower action mirred egress redirect dev "));
        assertEquals(List.of("gen", "pcap", "sink", "tap"), complete("ip link add x type ").stream().sorted().toList());
        assertEquals(List.of(), complete("ip link add x type gen "), "the driver's own arguments are not known here");
    }

    @Test
    void everyNetfenceCommandCompletes() {
        assertEquals(List.of("qdisc", "filter", "chain", "actions", "help"), complete("tc "));
        assertTrue(complete("tc filter add dev eth0 ").containsAll(List.of("ingress", "egress", "flower", "action")));
        assertTrue(complete("bench ").containsAll(List.of("pps", "count", "size", "flows", "esp", "help")));
        assertEquals(List.of("aes-128-gcm", "aes-256-gcm", "aes-128-cbc-hmac-sha256"), complete("bench esp aes-"));
        assertEquals(List.of("show", "set", "clear", "help"), complete("dataplane "));
        assertEquals(List.of("workers"), complete("dataplane set "));
        assertEquals(List.of("list", "info", "install", "uninstall", "help"), complete("feature "));
        assertEquals(List.of("netfence-extra"), complete("feature install "));
        assertEquals(List.of("netfence-shell"), complete("feature uninstall "));
        assertEquals(List.of("level", "handler", "show", "help"), complete("log "));
        assertTrue(complete("log level io.netfence.net ").contains("DEBUG"));
        assertEquals(List.of("show", "engine", "help"), complete("crypto "));
        assertEquals(List.of("openssl", "jce", "bc", "auto"), complete("crypto engine aes-gcm "));
    }

    @Test
    void optionsAndCommandNames() {
        assertTrue(complete("ip -").containsAll(List.of("-s", "-d", "-j", "-4", "-6")));
        assertTrue(complete("").containsAll(List.of("ip", "tc", "bench", "feature", "exit")));
        assertFalse(complete("").contains("__complete"), "the completion function is not offered as a command");
    }

    @Test
    void exitStopsTheFrameworkEvenWithSystemsMethodsAsCommands() throws Exception {
        // the profile adds java.lang.System's methods (system:exit(int)): "exit" must still be Netfence's
        assertEquals(null, session.execute("exit"));
        assertEquals(List.of("stop"), frameworkCalls);
        CommandException e = assertThrows(CommandException.class, () -> session.execute("exit 3"));
        assertEquals("Error: argument \"3\" is wrong: expected exit without arguments", e.getMessage());
        assertEquals(List.of("stop"), frameworkCalls);
    }
}
