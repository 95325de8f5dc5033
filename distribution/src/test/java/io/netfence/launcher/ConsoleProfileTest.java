package io.netfence.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;

/** The console profile keeps IPsec keys out of the command history, with JLine's own matching. */
class ConsoleProfileTest {
    @Test
    void linesWithKeysStayOutOfTheHistory() throws Exception {
        String profile = Files.readString(Path.of("../etc/gosh_profile"));
        Matcher m = Pattern.compile("history-ignore = '([^']*)'").matcher(profile);
        assertEquals(true, m.find(), "etc/gosh_profile sets history-ignore");
        try (Terminal t = TerminalBuilder.builder().dumb(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(t).build();
            reader.setVariable(LineReader.HISTORY_IGNORE, m.group(1));
            History h = reader.getHistory();
            h.attach(reader);
            String key = " 0x0102030405060708090a0b0c0d0e0f1011121314";
            for (String line : List.of(
                    "ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead 'rfc4106(gcm(aes))'" + key + " 128",
                    "ip x s update src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 enc 'cbc(aes)'" + key
                            + " auth-trunc 'hmac(sha256)'" + key + " 128",
                    "ip xfrm state list",
                    "ip link show")) {
                h.add(Instant.now(), line);
            }
            List<String> kept = new ArrayList<>();
            h.forEach(e -> kept.add(e.line()));
            assertEquals(List.of("ip xfrm state list", "ip link show"), kept);
        }
    }
}
