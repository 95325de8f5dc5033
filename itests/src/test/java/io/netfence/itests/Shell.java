package io.netfence.itests;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** Runs shell commands in the container the way an operator would, returning what they print. */
final class Shell implements AutoCloseable {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final CommandSession session;

    Shell(CommandProcessor processor) {
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        session = processor.createSession(InputStream.nullInputStream(), ps, ps);
    }

    /** Executes one command line; returns its formatted result plus anything it printed. */
    String run(String line) throws Exception {
        buf.reset();
        Object r = session.execute(line);
        StringBuilder sb = new StringBuilder(buf.toString(StandardCharsets.UTF_8));
        if (r != null) {
            sb.append(session.format(r, 1));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        session.close();
    }
}
