package io.trinitybeast.usagelog.envelope;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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

    /**
     * Parses exactly the wire form; anything else (offsets, other precisions, impossible dates) is
     * refused. Parsed by position, as the form is fixed: the writer reads one per record. The
     * formatter stays the writing side and, in the tests, the oracle.
     */
    public static long parse(String text) throws InvalidRecordException {
        if (text.length() != LENGTH || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != '.' || text.charAt(23) != 'Z') {
            throw invalid(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int millis = digits(text, 20, 3);
        if ((year | month | day | hour | minute | second | millis) < 0 || hour > 23 || minute > 59 || second > 59) {
            throw invalid(text);
        }
        long epochDay;
        try {
            epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        } catch (java.time.DateTimeException e) {
            throw invalid(text);
        }
        return epochDay * 86_400_000L + hour * 3_600_000L + minute * 60_000L + second * 1_000L + millis;
    }

    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static InvalidRecordException invalid(String text) {
        return new InvalidRecordException("timestamp must look like 2026-05-02T15:30:00.000Z (UTC, milliseconds), got '"
                + abbreviate(text) + "'");
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
