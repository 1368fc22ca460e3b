package dev.stigmer.control;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stack file's options for the local Temporal: what `temporal server start-dev` takes as
 * flags. Null or empty means the default.
 *
 * @param namespaces       created at start, besides `default` (which always exists)
 * @param searchAttributes name to type (Keyword, Text, Int, Double, Bool, Datetime, KeywordList)
 * @param dynamicConfig    key to a JSON value
 * @param logLevel         debug, info, warn, error or never
 * @param ui               false: no web UI (--headless)
 * @param uiPort           the web UI's port (default: the gRPC port + 1000)
 * @param db               a database file, absolute, or "memory" for none (nothing kept)
 */
public record TemporalOptions(List<String> namespaces, Map<String, String> searchAttributes,
                              Map<String, String> dynamicConfig, String logLevel, Boolean ui, Integer uiPort,
                              String db) {
    public static final TemporalOptions NONE = new TemporalOptions(List.of(), Map.of(), Map.of(), null, null, null, null);
    public static final String MEMORY = "memory";

    public TemporalOptions {
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        searchAttributes = searchAttributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(searchAttributes));
        dynamicConfig = dynamicConfig == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(dynamicConfig));
    }

    public boolean uiEnabled() {
        return ui == null || ui;
    }

    /**
     * The options set here that only the real Temporal can honour (the embedded test server has
     * no web UI, no database, no dynamic config and no log levels); empty when all can be.
     */
    public List<String> needingTheRealTemporal() {
        List<String> keys = new ArrayList<>();
        if (!dynamicConfig.isEmpty()) {
            keys.add("dynamic_config");
        }
        if (logLevel != null) {
            keys.add("log_level");
        }
        if (Boolean.TRUE.equals(ui)) {
            keys.add("ui");
        }
        if (uiPort != null) {
            keys.add("ui_port");
        }
        if (db != null && !db.equals(MEMORY)) {
            keys.add("db");
        }
        return keys;
    }
}
