package io.netfence.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void ipv4RoundTrips() {
        for (String s : new String[] {"0.0.0.0", "255.255.255.255", "10.1.2.3", "192.168.100.200", "1.0.0.0", "100.64.0.1"}) {
            IpAddress a = IpAddress.parse(s);
            assertEquals(4, a.version());
            assertEquals(s, a.toString());
        }
        assertEquals(0xC0A8_0102, IpAddress.parse("192.168.1.2").v4bits());
        assertEquals(-1, IpAddress.parse("255.255.255.255").v4bits());
    }

    @Test
    void ipv6PrintsTheRfc5952CanonicalForm() {
        String[][] cases = {
            {"2001:db8::1", "2001:db8::1"},
            {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"}, // 4.1 leading zeros dropped
            {"2001:DB8::ABCD", "2001:db8::abcd"}, // 4.3 lower case
            {"::", "::"},
            {"::1", "::1"},
            {"1::", "1::"},
            {"0:0:0:0:0:0:0:0", "::"},
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // 4.2.2 a single 0 group is not compressed
            {"2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
            {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"}, // 4.2.3 the longest run
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, // 4.2.3 the first of equal runs
            {"fe80::1:2", "fe80::1:2"},
            {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
            {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
            {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
            {"::ffff:192.0.2.1", "::ffff:192.0.2.1"}, // section 5: IPv4-mapped in mixed notation
            {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
            {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
            {"::192.0.2.1", "::c000:201"},
            {"ff02::1:ff00:99", "ff02::1:ff00:99"},
        };
        for (String[] c : cases) {
            IpAddress a = IpAddress.parse(c[0]);
            assertEquals(6, a.version(), c[0]);
            assertEquals(c[1], a.toString(), c[0]);
            assertEquals(a, IpAddress.parse(a.toString()), c[0]);
        }
        IpAddress a = IpAddress.parse("2001:db8:1:2:3:4:5:6");
        assertEquals(0x2001_0db8_0001_0002L, a.hi());
        assertEquals(0x0003_0004_0005_0006L, a.lo());
    }

    @Test
    void badAddressesAreRejected() {
        String[] bad = {
            "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.",
            " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/8", "0x1.2.3.4", "1234.1.1.1", "\uFF11.2.3.4",
            ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::", ":1:2:3:4:5:6:7:8", "1:", "::1:",
            "g::1", "::ffff:1.2.3", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:1", "fe80::1%eth0",
            "\u0663::1", "1::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "::ffff:01.2.3.4", "2001:db8::1 ",
        };
        for (String s : bad) {
            assertNull(IpAddress.tryParse(s), s);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(s), s);
            assertTrue(e.getMessage().contains(s), e.getMessage());
            assertTrue(e.getMessage().contains("a.b.c.d"), e.getMessage());
        }
        assertNull(IpAddress.tryParse(null));
    }

    @Test
    void randomIpv6RoundTrips() {
        SplittableRandom r = new SplittableRandom(5952);
        for (int i = 0; i < 20000; i++) {
            long hi = r.nextLong(), lo = r.nextLong();
            // Zero out random groups so compression is exercised.
            for (int g = 0; g < 8; g++) {
                if (r.nextInt(3) == 0) {
                    if (g < 4) {
                        hi &= ~(0xFFFFL << (48 - 16 * g));
                    } else {
                        lo &= ~(0xFFFFL << (48 - 16 * (g - 4)));
                    }
                }
            }
            IpAddress a = IpAddress.v6(hi, lo);
            String s = a.toString();
            assertEquals(a, IpAddress.parse(s), s);
            assertFalse(s.contains(":::"), s);
            assertTrue(s.equals(s.toLowerCase()), s);
            int doubleColons = s.split("::", -1).length - 1;
            assertTrue(doubleColons <= 1, s);
        }
        for (int i = 0; i < 5000; i++) {
            IpAddress a = IpAddress.v4(r.nextInt());
            assertEquals(a, IpAddress.parse(a.toString()));
        }
    }

    @Test
    void readWriteMaskAndClassification() {
        byte[] b = new byte[16];
        IpAddress v6 = IpAddress.parse("fe80::1234");
        v6.write(b, 0);
        assertEquals(v6, IpAddress.readV6(b, 0));
        IpAddress v4 = IpAddress.parse("169.254.1.1");
        v4.write(b, 0);
        assertEquals(v4, IpAddress.readV4(b, 0));
        assertTrue(v6.isLinkLocal());
        assertTrue(v4.isLinkLocal());
        assertFalse(IpAddress.parse("fec0::1").isLinkLocal());
        assertTrue(IpAddress.parse("ff02::1").isMulticast());
        assertTrue(IpAddress.parse("239.1.1.1").isMulticast());
        assertFalse(IpAddress.parse("240.1.1.1").isMulticast());
        assertEquals(IpAddress.parse("10.0.0.0"), IpAddress.parse("10.1.2.3").mask(8));
        assertEquals(IpAddress.parse("10.1.2.3"), IpAddress.parse("10.1.2.3").mask(32));
        assertEquals(IpAddress.parse("0.0.0.0"), IpAddress.parse("10.1.2.3").mask(0));
        assertEquals(IpAddress.parse("2001:db8::"), IpAddress.parse("2001:db8:ffff::1").mask(32));
        assertEquals(IpAddress.parse("2001:db8::1:0"), IpAddress.parse("2001:db8::1:1").mask(112));
        assertEquals(IpAddress.parse("::"), IpAddress.parse("2001:db8::1").mask(0));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("10.0.0.1").mask(33));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("::1").mask(-1));
        assertThrows(IllegalArgumentException.class, () -> new IpAddress(5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new IpAddress(4, 0, 1L << 32));
        assertTrue(IpAddress.parse("10.0.0.1").compareTo(IpAddress.parse("10.0.0.2")) < 0);
        assertTrue(IpAddress.parse("128.0.0.1").compareTo(IpAddress.parse("10.0.0.2")) > 0); // unsigned
        assertTrue(IpAddress.parse("255.0.0.0").compareTo(IpAddress.parse("::")) < 0); // v4 before v6
        assertTrue(IpAddress.parse("8000::").compareTo(IpAddress.parse("::1")) > 0);
    }

    @Test
    void prefixes() {
        IpPrefix p = IpPrefix.parse("10.1.0.0/16");
        assertEquals(16, p.length());
        assertEquals("10.1.0.0/16", p.toString());
        assertTrue(p.contains(IpAddress.parse("10.1.255.255")));
        assertFalse(p.contains(IpAddress.parse("10.2.0.0")));
        assertFalse(p.contains(IpAddress.parse("::")));
        assertEquals("10.0.0.0/8", IpPrefix.parse("10.1.2.3/8").network().toString());
        assertEquals("192.0.2.1/32", IpPrefix.parse("192.0.2.1").toString());
        assertEquals("2001:db8::/32", IpPrefix.parse("2001:db8::/32").toString());
        assertEquals("::1/128", IpPrefix.parse("::1").toString());
        assertEquals("2001:db8::/32", IpPrefix.parse("2001:db8::/032").toString());
        assertEquals("0.0.0.0/0", IpPrefix.parse("default").toString());
        assertEquals("::/0", IpPrefix.parse("any", 6).toString());
        assertEquals("::/0", IpPrefix.parse("all", 6).toString());
        assertTrue(IpPrefix.parse("0.0.0.0/0").contains(IpAddress.parse("1.2.3.4")));
        for (String s : new String[] {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/", "10.0.0.0/8x", "/8",
                "10.0.0/8", "2001:db8::/129", "::/99999999999", "10.0.0.0/\u0668", "10.0.0.0/8/8"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(s), s);
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(IpAddress.v4(0), 33));
    }

    @Test
    void macAddresses() {
        MacAddress m = MacAddress.parse("02:00:5e:10:00:ff");
        assertEquals(0x0200_5E10_00FFL, m.bits());
        assertEquals("02:00:5e:10:00:ff", m.toString());
        assertEquals(m, MacAddress.parse("02-00-5E-10-00-FF"));
        assertEquals(m, MacAddress.parse("2:0:5e:10:0:ff"));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertFalse(m.isMulticast());
        byte[] b = new byte[8];
        m.write(b, 1);
        assertEquals(m, MacAddress.read(b, 1));
        for (String s : new String[] {"", "02:00:5e:10:00", "02:00:5e:10:00:ff:01", "02:00:5e:10:00:fff", "02:00-5e:10:00:ff",
                "02::5e:10:00:ff", "+2:00:5e:10:00:ff", "-1:00:5e:10:00:ff", "02:00:5e:10:00:fg", "02:00:5e:10:00:ff:",
                "\uFF10\uFF12:00:5e:10:00:ff", " 02:00:5e:10:00:ff", "0200.5e10.00ff"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(s), s);
            assertTrue(e.getMessage().contains("expected six hex octets"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
        MacAddress r = MacAddress.randomLocal(new SplittableRandom(1));
        assertEquals(0x02, (int) (r.bits() >>> 40) & 0x03);
    }
}
