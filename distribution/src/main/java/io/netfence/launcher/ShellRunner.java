package io.netfence.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs shell commands without a console ({@code -c}, {@code -b}) through a Gogo CommandSession.
 * The launcher sits outside the framework and does not see Gogo's API classes, so the session is
 * driven reflectively through the CommandProcessor interface as the Gogo bundle exports it.
 */
final class ShellRunner implements AutoCloseable {
    private static final long READY_TIMEOUT_MS = 20_000;
    /**
     * Consecutive {@code ip} lines of a batch file are handed to one {@code ip -batch -} this many
     * at a time: Gogo spends about a millisecond parsing and dispatching a line, ip's own batch
     * reader microseconds, which is what makes a 100k-line file of policies take seconds.
     */
    static final int IP_CHUNK = 1000;
    /**
     * An ip line that Gogo and ip's batch reader split into the same words: plain words and
     * 'single-quoted' ones, nothing Gogo would expand, pipe or evaluate ($ ( ) { } | ; " \ =).
     */
    static final Pattern PLAIN_IP = Pattern.compile("ip(\\s+([A-Za-z0-9./:_,+-]+|'[^'\\\\]*'))+\\s*");
    private static final Pattern BATCH_ERROR = Pattern.compile("line (\\d+): (.*)");

    private final PrintStream out;
    private final PrintStream err;
    private final Object processor;
    private final Method create;
    private final Object session;
    private final Method execute;
    private final Method format;
    private final Method close;
    private final ClassLoader gogo;

    private ShellRunner(Object processor, Method create, Object session, Class<?> sessionType, PrintStream out, PrintStream err)
            throws NoSuchMethodException {
        this.processor = processor;
        this.create = create;
        this.gogo = sessionType.getClassLoader();
        this.session = session;
        this.out = out;
        this.err = err;
        this.execute = sessionType.getMethod("execute", CharSequence.class);
        this.format = sessionType.getMethod("format", Object.class, int.class);
        this.close = sessionType.getMethod("close");
    }

    static ShellRunner open(BundleContext ctx, String readyFilter, InputStream in, PrintStream out, PrintStream err)
            throws Exception {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        ServiceReference<?> ref;
        while ((ref = ctx.getServiceReference("org.apache.felix.service.command.CommandProcessor")) == null
                || !Main.hasService(ctx, readyFilter)) {
            if (System.currentTimeMillis() > deadline) {
                if (ref == null) {
                    throw new IllegalStateException("the Gogo shell did not start within " + READY_TIMEOUT_MS / 1000 + " s (see log/netfence0.log in the data folder, var/ by default)");
                }
                err.println("netfence: warning: the Netfence shell commands are not registered (is the netfence-shell feature installed?)");
                break;
            }
            Thread.sleep(20);
        }
        Object processor = ctx.getService(ref);
        ClassLoader gogo = processor.getClass().getClassLoader();
        Class<?> processorType = gogo.loadClass("org.apache.felix.service.command.CommandProcessor");
        Class<?> sessionType = gogo.loadClass("org.apache.felix.service.command.CommandSession");
        Method create = processorType.getMethod("createSession", InputStream.class, java.io.OutputStream.class, java.io.OutputStream.class);
        Object session = create.invoke(processor, in, out, err);
        return new ShellRunner(processor, create, session, sessionType, out, err);
    }

    /**
     * Runs one command line; prints the result of each of its statements ({@code "a; b"}: Gogo
     * alone would return only the last one's); stops at the first that fails. Returns the exit code
     * (0 ok, 1 failed).
     */
    int runOne(String command) {
        for (String statement : statements(command)) {
            String error = execute(statement);
            if (error != null) {
                // Shell messages usually say "Error: ..." already; Gogo's own ones do not.
                err.println(error.startsWith("Error:") ? error : "Error: " + error);
                return 1;
            }
        }
        return 0;
    }

    /**
     * The top-level statements of a command line, as Gogo's own parser splits it (quotes, closures
     * and pipelines stay whole); the line as it is if it cannot be parsed (executing it then
     * reports the syntax error).
     */
    private List<String> statements(String command) {
        try {
            Class<?> parser = gogo.loadClass("org.apache.felix.gogo.runtime.Parser");
            Object program = parser.getMethod("program").invoke(parser.getConstructor(CharSequence.class).newInstance(command));
            List<?> tokens = (List<?>) program.getClass().getMethod("tokens").invoke(program);
            List<String> out = tokens.stream().map(String::valueOf).filter(t -> !t.isBlank()).toList();
            return out.isEmpty() ? List.of(command) : out;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return List.of(command);
        }
    }

    /**
     * Runs a file of commands, one per line ({@code #} comments and blank lines skipped), like
     * {@code ip -batch}: stops at the first failing line unless {@code force}.
     */
    int runBatch(Path file, boolean force) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            err.println("netfence: cannot read batch file " + file + ": " + e.getMessage());
            return 1;
        }
        int failures = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (PLAIN_IP.matcher(line).matches()) {
                StringBuilder chunk = new StringBuilder();
                List<Integer> numbers = new ArrayList<>();
                for (; i < lines.size() && numbers.size() < IP_CHUNK; i++) {
                    String l = lines.get(i).strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    if (!PLAIN_IP.matcher(l).matches()) {
                        break;
                    }
                    chunk.append(l, 2, l.length()).append('\n');
                    numbers.add(i + 1);
                }
                i--;
                int failed = runIpChunk(file, chunk.toString(), numbers, force);
                failures += failed;
                if (failed > 0 && !force) {
                    return 1;
                }
                continue;
            }
            String error = execute(line);
            if (error != null) {
                err.println("Command failed " + file + ":" + (i + 1) + ": " + error);
                failures++;
                if (!force) {
                    return 1;
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /**
     * Runs ip lines (without the leading "ip") as {@code ip [-force] -batch -} in a session whose
     * input they are; reports each failed line as the line-by-line run does, numbered as in the
     * file. Returns how many failed.
     */
    private int runIpChunk(Path file, String chunk, List<Integer> numbers, boolean force) {
        Object chunkSession;
        try {
            chunkSession = create.invoke(processor, new ByteArrayInputStream(chunk.getBytes(StandardCharsets.UTF_8)), out, err);
        } catch (ReflectiveOperationException e) {
            err.println("Command failed " + file + ":" + numbers.getFirst() + ": cannot open a shell session: " + e);
            return 1;
        }
        String error;
        try {
            error = execute(chunkSession, force ? "ip -force -batch -" : "ip -batch -");
        } finally {
            try {
                close.invoke(chunkSession);
            } catch (ReflectiveOperationException ignored) {
                // Closing a finished session; nothing to report.
            }
        }
        if (error == null) {
            return 0;
        }
        // "line K: message" per failed line, a message may run over several lines.
        List<String> failures = new ArrayList<>();
        for (String l : error.split("\n", -1)) {
            Matcher m = BATCH_ERROR.matcher(l);
            if (m.matches() && Integer.parseInt(m.group(1)) <= numbers.size()) {
                failures.add(file + ":" + numbers.get(Integer.parseInt(m.group(1)) - 1) + ": " + m.group(2));
            } else if (failures.isEmpty()) {
                failures.add(file + ":" + numbers.getFirst() + ": " + l);
            } else {
                failures.set(failures.size() - 1, failures.getLast() + "\n" + l);
            }
        }
        failures.forEach(f -> err.println("Command failed " + f));
        return failures.size();
    }

    /** Executes and prints; returns null on success or the error message. */
    private String execute(String command) {
        return execute(session, command);
    }

    private String execute(Object session, String command) {
        try {
            Object result = execute.invoke(session, command);
            if (result != null) {
                Object text = format.invoke(session, result, 1);
                out.println(text);
            }
            out.flush();
            return null;
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            String msg = t.getMessage();
            return msg == null || msg.isBlank() ? t.toString() : msg;
        } catch (IllegalAccessException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        try {
            close.invoke(session);
        } catch (ReflectiveOperationException ignored) {
            // Closing a finished session; nothing to report.
        }
    }
}
