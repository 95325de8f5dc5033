package io.netfence.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands on the Linux host (ip netns, ping, python3) for end-to-end tests. */
final class Host {
    record Result(int exit, String output) {
    }

    private Host() {
    }

    static boolean canUseNamespacesAndTap() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
        return root && ip && Files.exists(Path.of("/dev/net/tun"));
    }

    static Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed; the failure message carries its output. */
    static String must(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Result r = run(timeoutSeconds, command);
        if (r.exit() != 0) {
            throw new AssertionError("command failed (" + r.exit() + "): " + String.join(" ", command) + "\n" + r.output());
        }
        return r.output();
    }

    static Process start(String... command) throws IOException {
        return new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    }
}
