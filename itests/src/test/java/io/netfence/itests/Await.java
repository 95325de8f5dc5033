package io.netfence.itests;

import java.util.function.BooleanSupplier;

/** Polls a condition: container events (FileInstall scans, DS activation) are asynchronous. */
final class Await {
    private Await() {
    }

    static void until(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
