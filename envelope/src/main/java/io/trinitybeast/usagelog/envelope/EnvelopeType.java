package io.trinitybeast.usagelog.envelope;

/** Rules for the envelope's {@code type} field: {@code [a-z][a-z0-9_]{0,63}}, e.g. {@code usage_log}. */
public final class EnvelopeType {

    public static final int MAX_LENGTH = 64;

    private EnvelopeType() {}

    public static boolean isValid(String type) {
        if (type == null || type.isEmpty() || type.length() > MAX_LENGTH) {
            return false;
        }
        char first = type.charAt(0);
        if (first < 'a' || first > 'z') {
            return false;
        }
        for (int i = 1; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    public static String requireValid(String type) {
        if (!isValid(type)) {
            throw new IllegalArgumentException("type must match [a-z][a-z0-9_]{0,63}, got '"
                    + (type == null ? "null" : Timestamps.abbreviate(type)) + "'");
        }
        return type;
    }
}
