package io.netfence.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which batch lines go to ip's own batch reader: only those Gogo would split into the same words. */
class ShellRunnerTest {

    static boolean plain(String line) {
        return ShellRunner.PLAIN_IP.matcher(line).matches();
    }

    @Test
    void plainIpLinesAreCoalesced() {
        assertTrue(plain("ip xfrm policy add src 10.0.0.1/32 dst 172.16.0.0/16 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1"));
        assertTrue(plain("ip xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x1000 aead 'rfc4106(gcm(aes))' 0x0102 128"));
        assertTrue(plain("ip -s link show dev eth0"));
        assertTrue(plain("ip route add 10.0.0.0/8 via 192.0.2.1 metric 10"));
    }

    @Test
    void linesGogoWouldReadOtherwiseAreNot() {
        assertFalse(plain("ipsec status"));
        assertFalse(plain("ip"));
        assertFalse(plain("ip link show $dev"), "a variable");
        assertFalse(plain("ip xfrm state add aead rfc4106(gcm(aes)) 0x01 128"), "unquoted parentheses are a Gogo expression");
        assertFalse(plain("ip link show | grep eth0"), "a pipe");
        assertFalse(plain("ip link show; tc qdisc show"), "two statements");
        assertFalse(plain("ip xfrm state add aead \"rfc4106(gcm(aes))\" 0x01 128"), "double quotes expand in Gogo");
        assertFalse(plain("ip link show 'it\\'s'"), "an escape inside quotes");
        assertFalse(plain("ip route add 10.0.0.0/8 via 192.0.2.1 # comment"));
    }
}
