package io.trinitybeast.usagelog.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Unpaired UTF-16 surrogates are not Unicode text: UTF-8, PostgreSQL and strict JSON readers all
 * refuse them. The encoder replaces each with U+FFFD, as Java's own UTF-8 encoder does, so a
 * payload carrying one still travels and is stored.
 */
final class Unicode {

    private Unicode() {}

    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    static String scrub(String s) {
        if (!hasUnpairedSurrogate(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** The tree with every field name and string value scrubbed; the same tree when nothing needed it. */
    static JsonNode scrub(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return hasUnpairedSurrogate(text) ? TextNode.valueOf(scrub(text)) : node;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                copy.set(scrub(field.getKey()), scrub(field.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            node.forEach(element -> copy.add(scrub(element)));
            return copy;
        }
        return node;
    }
}
