package io.trinitybeast.usagelog.writer;

import java.util.LinkedHashMap;
import java.util.Map;

/** The writer's routing table: envelope type to the handler that stores it. */
public final class RecordHandlers {

    private final Map<String, RecordHandler<?>> byType = new LinkedHashMap<>();

    /** The handlers the pipeline ships: {@code usage_log}. */
    public static RecordHandlers standard() {
        return new RecordHandlers().register(new UsageLogStore());
    }

    public RecordHandlers register(RecordHandler<?> handler) {
        String type = handler.codec().type();
        if (byType.putIfAbsent(type, handler) != null) {
            throw new IllegalStateException("a handler for type '" + type + "' is already registered");
        }
        return this;
    }

    RecordHandler<?> forType(String type) {
        return byType.get(type);
    }
}
