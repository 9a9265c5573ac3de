package io.trinitybeast.usagelog.envelope;

import com.fasterxml.jackson.databind.JsonNode;

/** Strict field readers shared by the envelope and the payload codecs. */
public final class Fields {

    private Fields() {}

    /** Characters allowed in identifiers such as api_key_id, asset and source. */
    public static boolean isIdentifierChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '.';
    }

    /** A required string of {@code 1..maxLength} identifier characters ({@code [A-Za-z0-9_.-]}). */
    public static String identifier(JsonNode object, String field, int maxLength) throws InvalidRecordException {
        String value = string(object, field, maxLength);
        for (int i = 0; i < value.length(); i++) {
            if (!isIdentifierChar(value.charAt(i))) {
                throw new InvalidRecordException(field + " may hold only [A-Za-z0-9_.-], found "
                        + describe(value.charAt(i)) + " at index " + i);
            }
        }
        return value;
    }

    /** A required string of {@code 1..maxLength} characters, any content. */
    public static String string(JsonNode object, String field, int maxLength) throws InvalidRecordException {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidRecordException(field + " is required");
        }
        if (!node.isTextual()) {
            throw new InvalidRecordException(field + " must be a string, got " + node.getNodeType().name().toLowerCase());
        }
        String value = node.textValue();
        if (value.isEmpty() || value.length() > maxLength) {
            throw new InvalidRecordException(field + " must be 1.." + maxLength + " characters long, got " + value.length());
        }
        return value;
    }

    /** A required integer in {@code min..max}. */
    public static long integer(JsonNode object, String field, long min, long max) throws InvalidRecordException {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidRecordException(field + " is required");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new InvalidRecordException(field + " must be an integer in " + min + ".." + max);
        }
        long value = node.longValue();
        if (value < min || value > max) {
            throw new InvalidRecordException(field + " must be an integer in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
