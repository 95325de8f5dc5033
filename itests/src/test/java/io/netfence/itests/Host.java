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

    /**
     * org.junit.Assume's assumeTrue, except that with -Dnetfence.requireAll=true (CI, where root
     * and every tool are there) a missing requirement fails the test instead of skipping it.
     */
    static void assumeTrue(String what, boolean ok) {
        if (Boolean.getBoolean("netfence.requireAll")) {
            org.junit.Assert.assertTrue(what + " (netfence.requireAll: nothing may be skipped)", ok);
        }
        org.junit.Assume.assumeTrue(what, ok);
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

    /**
     * Sends {@code megabytes} of seeded random bytes over TCP from a client in namespace
     * {@code clientNs} (bound to {@code clientAddress}, or any when null) to a server in
     * {@code serverNs} on {@code serverAddress:port}, and asserts that the server received
     * exactly those bytes (count and SHA-256).
     */
    static void tcpTransfer(String serverNs, String serverAddress, int port, String clientNs, String clientAddress, int megabytes)
            throws IOException, InterruptedException {
        String server = String.join("\n",
                "import socket, hashlib",
                "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "s.bind((\"" + serverAddress + "\", " + port + ")); s.listen(1)",
                "print('listening', flush=True)",
                "c, _ = s.accept(); h = hashlib.sha256(); n = 0",
                "while True:",
                "    d = c.recv(65536)",
                "    if not d: break",
                "    h.update(d); n += len(d)",
                "print(n, h.hexdigest(), flush=True)");
        String client = String.join("\n",
                "import socket, hashlib, random",
                "data = random.Random(" + port + ").randbytes(" + megabytes + " * 1024 * 1024)",
                "s = socket.socket()",
                clientAddress == null ? "" : "s.bind((\"" + clientAddress + "\", 0))",
                "s.settimeout(60); s.connect((\"" + serverAddress + "\", " + port + ")); s.sendall(data); s.close()",
                "print(len(data), hashlib.sha256(data).hexdigest(), flush=True)");
        Process srv = start("ip", "netns", "exec", serverNs, "/usr/bin/python3", "-c", server);
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(srv.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (!"listening".equals(ready)) {
                throw new AssertionError("the TCP server did not start: " + ready);
            }
            String sent = must(180, "ip", "netns", "exec", clientNs, "/usr/bin/python3", "-c", client).strip();
            if (!srv.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the TCP server did not finish");
            }
            String received = out.readLine();
            if (!sent.equals(received == null ? null : received.strip())) {
                throw new AssertionError("bytes and SHA-256 received (" + received + ") differ from those sent (" + sent + ")");
            }
            if (!sent.startsWith(megabytes * 1024 * 1024 + " ")) {
                throw new AssertionError("the client sent " + sent);
            }
        } finally {
            srv.destroyForcibly();
        }
    }
}
