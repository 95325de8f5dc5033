package io.netfence.bench;

import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One ESP payload sealed per operation (IV written, payload encrypted in place, ICV appended), as
 * the dataplane will do per packet, for each engine, suite and payload size. The reference is
 * {@code openssl speed -evp} for the same algorithm and sizes on the same machine:
 * {@code benchmarks/scripts/crypto-vs-openssl.sh} runs both and prints the ratios.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CryptoBench {
    @Param({"jce", "bc", "openssl"})
    public String engine;

    /** Linux names: the AEADs with their key material (salt included) and ICV, CBC with HMAC-SHA-256. */
    @Param({"aes-128-gcm", "chacha20-poly1305", "aes-128-cbc-hmac-sha256"})
    public String suite;

    @Param({"64", "512", "1400", "9000"})
    public int size;

    private EspTransform transform;
    private byte[] packet;
    private int text;
    private int length;
    private long sequence;

    @Setup
    public void setUp() throws Exception {
        EspSuite s = EspSuite.named(suite);
        String type = switch (engine) {
            case "jce" -> "JceEngine";
            case "bc" -> "BcEngine";
            default -> "OpenSslEngine";
        };
        CryptoEngine e = (CryptoEngine) Class.forName("io.netfence.crypto.internal." + type).getConstructor().newInstance();
        SplittableRandom rnd = new SplittableRandom(1);
        byte[] enc = new byte[s.encKeyBytes()];
        byte[] auth = new byte[s.authKeyBytes()];
        rnd.nextBytes(enc);
        rnd.nextBytes(auth);
        transform = e.create(s, enc, auth);
        int block = s.cipher().blockBytes();
        length = (size + block - 1) / block * block;
        text = 8 + s.cipher().ivBytes();
        packet = new byte[text + length + s.icvBytes()];
        rnd.nextBytes(packet);
    }

    /** A new sequence number, so a new nonce, every packet: as on the wire. The ciphertext stays in place. */
    @Benchmark
    public byte seal() {
        long seq = ++sequence;
        transform.writeIv(packet, 8, seq);
        transform.seal(packet, 0, text, length, (int) (seq >>> 32), false);
        return packet[text];
    }
}
