package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netfence.net.api.LinkSpec;
import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.testing.FakeXfrmService;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.StringReader;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A fake dataplane with two links and a fake SAD/SPD, and helpers to run ip command lines against them. */
abstract class IpTestBase {
    final FakeNetService net = new FakeNetService();
    final FakeXfrmService xfrm = new FakeXfrmService();
    /** Whether an XfrmService is registered. */
    boolean xfrmPresent = true;
    /** Times in UTC, so that the expected output does not depend on the machine. */
    final IpCommand ip = new IpCommand(net, () -> xfrmPresent ? xfrm : null, ZoneOffset.UTC);
    final Map<String, String> files = new HashMap<>();

    IpTestBase() {
        net.addLink(new LinkSpec("eth0", "tap", 0, null, 0, List.of()));
        net.addLink(new LinkSpec("eth1", "pcap", 0, null, 0, List.of("rx", "in.pcap", "tx", "out.pcap")));
        net.fakeLink("eth0").up = true;
        net.clearCalls();
    }

    /** Runs "ip WORDS..." given as one line (split like a batch line; the leading "ip" is the command name). */
    String ip(String line) {
        List<String> words = Args.split(line);
        assertEquals("ip", words.getFirst());
        return ip.execute(this::open, words.subList(1, words.size()));
    }

    private BufferedReader open(String name) throws FileNotFoundException {
        String text = files.get(name);
        if (text == null) {
            throw new FileNotFoundException(name + " (No such file or directory)");
        }
        return new BufferedReader(new StringReader(text));
    }

    /**
     * Runs a command that must fail with {@code message}, and checks it changed nothing: no mutating
     * call reached the service and the configuration is as before.
     */
    void fails(String line, String message) {
        String before = net.snapshot();
        String xfrmBefore = xfrm.snapshot();
        net.clearCalls();
        xfrm.clearCalls();
        CommandException e = assertThrows(CommandException.class, () -> ip(line), line);
        assertEquals(message, e.getMessage(), line);
        assertEquals(List.of(), net.calls(), "no mutating call for: " + line);
        assertEquals(List.of(), xfrm.calls(), "no mutating xfrm call for: " + line);
        assertEquals(before, net.snapshot());
        assertEquals(xfrmBefore, xfrm.snapshot());
    }

    /** Runs a command and returns the one mutating call it made. */
    FakeNetService.Call call(String line) {
        net.clearCalls();
        ip(line);
        List<FakeNetService.Call> calls = net.calls();
        assertEquals(1, calls.size(), line + " made " + calls);
        return calls.getFirst();
    }

    /** Runs a command that must make one mutating xfrm call and print nothing; returns the call's first argument. */
    Object xfrmCall(String line) {
        xfrm.clearCalls();
        assertEquals(null, ip(line), line);
        assertEquals(1, xfrm.calls().size(), line + " made " + xfrm.calls());
        return xfrm.calls().getFirst().args().getFirst();
    }

    static FakeNetService.Call call(String method, Object... args) {
        return new FakeNetService.Call(method, java.util.Arrays.asList(args));
    }
}
