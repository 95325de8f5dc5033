package io.netfence.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs shell commands without a console ({@code -c}, {@code -b}) through a Gogo CommandSession.
 * The launcher sits outside the framework and does not see Gogo's API classes, so the session is
 * driven reflectively through the CommandProcessor interface as the Gogo bundle exports it.
 */
final class ShellRunner implements AutoCloseable {
    private static final long READY_TIMEOUT_MS = 20_000;

    private final PrintStream out;
    private final PrintStream err;
    private final Object session;
    private final Method execute;
    private final Method format;
    private final Method close;
    private final ClassLoader gogo;

    private ShellRunner(Object session, Class<?> sessionType, PrintStream out, PrintStream err) throws NoSuchMethodException {
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
        return new ShellRunner(session, sessionType, out, err);
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

    /** Executes and prints; returns null on success or the error message. */
    private String execute(String command) {
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
