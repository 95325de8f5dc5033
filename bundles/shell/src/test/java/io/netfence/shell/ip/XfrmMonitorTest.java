package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.IpPrefix;
import io.netfence.shell.testing.TestJson;
import io.netfence.shell.text.Args;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.XfrmEvent;
import io.netfence.xfrm.api.XfrmEvent.Kind;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code ip xfrm monitor}: events printed as iproute2's xfrm_monitor.c prints them, until the thread is interrupted. */
class XfrmMonitorTest extends IpTestBase {
    private final BlockingQueue<String> printed = new LinkedBlockingQueue<>();
    private final AtomicReference<Object> result = new AtomicReference<>("running");
    private Thread thread;
    private XfrmState sa;
    private XfrmPolicy policy;

    XfrmMonitorTest() {
        ip(XfrmStateCommandTest.SA + "reqid 1 mode tunnel " + XfrmStateCommandTest.GCM);
        ip("ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out " + XfrmPolicyCommandTest.TUNNEL);
        sa = xfrm.states().getFirst().state();
        policy = xfrm.policies().getFirst().policy();
        xfrm.clearCalls();
    }

    /** Starts "ip ..." on its own thread, as the Gogo session's thread runs it, and waits until it listens. */
    void start(String line) throws InterruptedException {
        List<String> words = Args.split(line);
        thread = new Thread(() -> {
            try {
                result.set(ip.execute(name -> null, words.subList(1, words.size()), printed::add));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        thread.start();
        for (int i = 0; i < 500 && xfrm.listenerCount() == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, xfrm.listenerCount(), "the monitor listens");
    }

    /** Ctrl-C: interrupts the thread; the command returns nothing and stops listening. */
    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join(5000);
        assertFalse(thread.isAlive());
        assertNull(result.get(), "an interrupted monitor ends quietly");
        assertEquals(0, xfrm.listenerCount(), "the monitor closed its handle");
    }

    String next() throws InterruptedException {
        String record = printed.poll(5, TimeUnit.SECONDS);
        assertTrue(record != null, "a record was printed");
        return record;
    }

    static XfrmEvent event(Kind kind, XfrmState state, XfrmPolicy policy, Selector acquire) {
        return new XfrmEvent(kind, 1_795_935_600_000L, state, policy, acquire);
    }

    @Test
    void everyKindOfEvent() throws InterruptedException {
        start("ip xfrm monitor");
        xfrm.emit(event(Kind.STATE_ADD, sa, null, null));
        assertEquals(XfrmStateCommandTest.GCM_SA, next());
        xfrm.emit(event(Kind.STATE_UPDATE, sa, null, null));
        assertEquals("Updated " + XfrmStateCommandTest.GCM_SA, next());
        xfrm.emit(event(Kind.EXPIRE_SOFT, sa, null, null));
        assertEquals("Expired " + XfrmStateCommandTest.GCM_SA + "\n\thard 0", next());
        xfrm.emit(event(Kind.EXPIRE_HARD, sa, null, null));
        assertEquals("Expired " + XfrmStateCommandTest.GCM_SA + "\n\thard 1", next());
        xfrm.emit(event(Kind.STATE_DELETE, sa, null, null));
        assertEquals("Deleted " + XfrmStateCommandTest.GCM_SA, next());
        xfrm.emit(event(Kind.STATE_FLUSH, null, null, null));
        assertEquals("Flushed state proto 0", next());
        String policyText = """
                src 10.1.0.0/16 dst 10.2.0.0/16
                \tdir out priority 0 ptype main
                \ttmpl src 192.168.1.1 dst 192.168.2.1
                \t\tproto esp reqid 1 mode tunnel""";
        xfrm.emit(event(Kind.POLICY_ADD, null, policy, null));
        assertEquals(policyText, next());
        xfrm.emit(event(Kind.POLICY_UPDATE, null, policy, null));
        assertEquals("Updated " + policyText, next());
        xfrm.emit(event(Kind.POLICY_DELETE, null, policy, null));
        assertEquals("Deleted " + policyText, next());
        xfrm.emit(event(Kind.POLICY_EXPIRE_HARD, null, policy, null));
        assertEquals("Expired " + policyText + "\n\thard 1", next());
        xfrm.emit(event(Kind.POLICY_FLUSH, null, null, null));
        assertEquals("Flushed policy ptype main", next());
        Selector packet = new Selector(IpPrefix.parse("10.1.0.5/32"), IpPrefix.parse("10.2.0.7/32"), 6, 40000, 0xffff, 80,
                0xffff, null);
        xfrm.emit(event(Kind.ACQUIRE, null, policy, packet));
        assertEquals("""
                acquire proto esp
                  sel src 10.1.0.5/32 dst 10.2.0.7/32 proto tcp sport 40000 dport 80
                  policy src 10.1.0.0/16 dst 10.2.0.0/16
                    \tdir out priority 0 ptype main
                    \ttmpl src 192.168.1.1 dst 192.168.2.1
                    \t\tproto esp reqid 1 mode tunnel
                """, next(), "a blank line ends an acquire, as in iproute2");
        stop();
        assertEquals(List.of(), xfrm.calls(), "monitoring changes nothing");
    }

    @Test
    void objectsSelectTheEvents() throws InterruptedException {
        start("ip xfrm monitor acquire expire nokeys");
        xfrm.emit(event(Kind.STATE_ADD, sa, null, null));
        xfrm.emit(event(Kind.POLICY_ADD, null, policy, null));
        xfrm.emit(event(Kind.EXPIRE_SOFT, sa, null, null));
        String expired = next();
        assertTrue(expired.startsWith("Expired src 192.168.1.1 dst 192.168.2.1\n"), expired);
        assertTrue(expired.contains("\taead rfc4106(gcm(aes)) <<Keys hidden>> 128\n"), expired);
        xfrm.emit(event(Kind.POLICY_EXPIRE_SOFT, null, policy, null));
        assertTrue(next().startsWith("Expired src 10.1.0.0/16 dst 10.2.0.0/16\n"));
        xfrm.emit(event(Kind.STATE_DELETE, sa, null, null));
        xfrm.emit(event(Kind.ACQUIRE, null, policy, Selector.any(4)));
        assertTrue(next().startsWith("acquire proto esp\n"), "the add, policy and delete events were left out");
        stop();
        assertTrue(printed.isEmpty());
    }

    @Test
    void jsonOneObjectPerEvent() throws InterruptedException {
        start("ip -j xfrm monitor SA policy");
        xfrm.emit(event(Kind.STATE_DELETE, sa, null, null));
        Map<String, Object> deleted = TestJson.object(TestJson.parse(next()));
        assertEquals("state_delete", deleted.get("event"));
        assertEquals(1_795_935_600_000L, deleted.get("time"));
        assertEquals("192.168.2.1", TestJson.object(deleted.get("state")).get("dst"));
        xfrm.emit(event(Kind.POLICY_FLUSH, null, null, null));
        assertEquals(Map.of("event", "policy_flush", "time", 1_795_935_600_000L), TestJson.object(TestJson.parse(next())));
        xfrm.emit(event(Kind.ACQUIRE, null, policy, Selector.any(4)));
        xfrm.emit(event(Kind.POLICY_ADD, null, policy, null));
        Map<String, Object> added = TestJson.object(TestJson.parse(next()));
        assertEquals("policy_add", added.get("event"), "acquire was not asked for");
        assertEquals("out", TestJson.object(added.get("policy")).get("dir"));
        stop();
    }

    @Test
    void objectsWithoutEventsListenToNothing() throws InterruptedException {
        start("ip xfrm monitor aevent report");
        xfrm.emit(event(Kind.STATE_ADD, sa, null, null));
        stop();
        assertTrue(printed.isEmpty());
    }

    @Test
    void errorsBeforeListening() {
        fails("ip xfrm monitor bogus", "Error: argument \"bogus\" is wrong: expected one of all, acquire, expire, SA, policy,"
                + " aevent, report, nokeys");
        fails("ip xfrm monitor file dump.bin", "Error: argument \"file\" is wrong: reading a netlink dump and other namespaces"
                + " are not supported by Netfence: expected ip xfrm monitor [nokeys] [all | OBJECTS]");
        fails("ip xfrm monitor all-nsid", "Error: argument \"all-nsid\" is wrong: reading a netlink dump and other namespaces"
                + " are not supported by Netfence: expected ip xfrm monitor [nokeys] [all | OBJECTS]");
        assertEquals(IpHelp.XFRM_MONITOR, ip("ip xfrm monitor help"));
        assertEquals(0, xfrm.listenerCount());
        xfrmPresent = false;
        fails("ip xfrm monitor", IpCommand.XFRM_NOT_AVAILABLE);
    }
}
