package io.trinitybeast.usagelog.envelope;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/** The wire's timestamp form: ISO-8601 UTC, millisecond precision, {@code Z}: {@code 2026-05-02T15:30:00.000Z}. */
public final class Timestamps {

    public static final int LENGTH = 24;

    private static final DateTimeFormatter FORMAT = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC)
            .withResolverStyle(ResolverStyle.STRICT);

    private Timestamps() {}

    public static String format(long epochMillis) {
        return FORMAT.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Parses exactly the wire form; anything else (offsets, other precisions, years past 9999) is refused. */
    public static long parse(String text) throws InvalidRecordException {
        if (text.length() != LENGTH) {
            throw new InvalidRecordException("timestamp must look like 2026-05-02T15:30:00.000Z (UTC, milliseconds), got '"
                    + abbreviate(text) + "'");
        }
        try {
            return Instant.from(FORMAT.parse(text)).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidRecordException("timestamp must look like 2026-05-02T15:30:00.000Z (UTC, milliseconds), got '"
                    + abbreviate(text) + "'");
        }
    }

    /**
     * Formats into {@code dest} without allocating when the second has not changed since the last call.
     * Not thread-safe: one per encoder.
     */
    static final class Cache {
        private long cachedSecond = Long.MIN_VALUE;
        private final char[] chars = new char[LENGTH];

        char[] format(long epochMillis) {
            long second = Math.floorDiv(epochMillis, 1000);
            if (second != cachedSecond) {
                Timestamps.format(second * 1000).getChars(0, LENGTH, chars, 0);
                cachedSecond = second;
            }
            int millis = (int) Math.floorMod(epochMillis, 1000);
            chars[20] = (char) ('0' + millis / 100);
            chars[21] = (char) ('0' + millis / 10 % 10);
            chars[22] = (char) ('0' + millis % 10);
            return chars;
        }
    }

    static String abbreviate(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        StringBuilder out = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
