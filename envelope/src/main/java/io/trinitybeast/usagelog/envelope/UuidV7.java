package io.trinitybeast.usagelog.envelope;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * RFC 9562 UUIDv7 event ids: 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids
 * from one generator strictly increasing within a millisecond, then 62 random bits.
 *
 * <p>The id is the writer's idempotency key, so a collision would silently merge two records:
 * the random bits come from a generator seeded by {@link SecureRandom}, per instance. Not
 * thread-safe; the producer owns one on its flusher thread.
 */
public final class UuidV7 {

    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private long lastMillis = -1;
    private int counter;

    public UUID next(long epochMillis) {
        long millis = Math.max(epochMillis, lastMillis);
        if (millis == lastMillis) {
            if (++counter > 0xFFF) {
                // Counter exhausted: borrow the next millisecond rather than repeat or go backwards.
                millis++;
                counter = random.nextInt(0x400);
            }
        } else {
            counter = random.nextInt(0x400); // random start leaves room to count up
        }
        lastMillis = millis;
        long msb = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | counter;
        long lsb = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /** The millisecond a UUIDv7 was made in. */
    public static long epochMillis(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }
}
