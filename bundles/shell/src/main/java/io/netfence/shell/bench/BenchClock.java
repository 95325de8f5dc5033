package io.netfence.shell.bench;

/** Wall-clock time and waiting, replaceable so the benchmark's control flow can be tested without waiting. */
public interface BenchClock {
    BenchClock SYSTEM = new BenchClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };

    long nanoTime();

    void sleep(long millis) throws InterruptedException;
}
