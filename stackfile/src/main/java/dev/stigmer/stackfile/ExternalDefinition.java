package dev.stigmer.stackfile;

import dev.stigmer.control.ExternalTemporal;

import java.util.Map;

/**
 * The file's external Temporal ({@code temporal.external}, or {@code temporal.profile} resolved
 * from temporal.toml). The API key itself is read only when a start needs it, from the variable
 * {@code api_key_env} names in the caller's environment, or from the profile.
 *
 * @param apiKeyVariable   the variable that holds the API key (api_key_env); null without one
 * @param apiKeyVariableAt where api_key_env is written, for the error when the variable is unset
 * @param profileApiKey    the profile's api_key; null without one. Never printed
 * @param profile          the profile's name, when it came from temporal.toml; else null
 * @param configFile       that temporal.toml; else null
 */
public record ExternalDefinition(ExternalTemporal temporal, String apiKeyVariable, Position apiKeyVariableAt,
                                 String profileApiKey, String profile, String configFile) {

    /**
     * The API key for a call with {@code env}, or null when none is declared.
     *
     * @throws StackFileException when api_key_env names a variable that is not set (or empty)
     */
    public String apiKey(Map<String, String> env) throws StackFileException {
        if (profileApiKey != null) {
            return profileApiKey;
        }
        if (apiKeyVariable == null) {
            return null;
        }
        String key = env.get(apiKeyVariable);
        if (key == null || key.isEmpty()) {
            throw new StackFileException(apiKeyVariableAt, "temporal.external.api_key_env names " + apiKeyVariable
                    + ", which is not set here; export " + apiKeyVariable + " with the API key, then run again");
        }
        return key;
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "ExternalDefinition[" + temporal + (apiKeyVariable == null ? "" : ", api_key_env=" + apiKeyVariable)
                + (profileApiKey == null ? "" : ", api_key from the profile") + "]";
    }
}
