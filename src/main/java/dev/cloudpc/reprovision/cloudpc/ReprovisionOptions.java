package dev.cloudpc.reprovision.cloudpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The admin route's optional body, checked strictly: an unknown or misspelt field is an error, because silently
 * ignoring {@code osversion} would rebuild a PC with the wrong OS. Enum values exactly as Graph spells them.
 */
public record ReprovisionOptions(String osVersion, String userAccountType) {

  public static final List<String> OS_VERSIONS = List.of("windows10", "windows11");
  public static final List<String> USER_ACCOUNT_TYPES = List.of("standardUser", "administrator");
  private static final Set<String> FIELDS = Set.of("osVersion", "userAccountType");
  public static final ReprovisionOptions NONE = new ReprovisionOptions(null, null);
  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** Parses a body already known to be JSON-typed and within the size limit; null or blank means no options. */
  public static ReprovisionOptions parse(String body) {
    return body == null || body.isBlank() ? NONE : from(object(body));
  }

  public static ReprovisionOptions from(JsonObject json) {
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw Problem.badRequest("unknown-field", "Unknown field '" + field + "'. The body may contain only "
                + "osVersion and userAccountType (names are case-sensitive).")
            .with("field", field).with("allowedFields", List.of("osVersion", "userAccountType")).exception();
      }
    }
    return new ReprovisionOptions(
        enumValue(json, "osVersion", OS_VERSIONS),
        enumValue(json, "userAccountType", USER_ACCOUNT_TYPES));
  }

  /**
   * The body as a JSON object, or a 400 saying what is wrong with it. A repeated field is refused: with
   * {@code {"osVersion":"windows11","osVersion":"windows10"}} the caller cannot know which one would win.
   */
  public static JsonObject object(String body) {
    try (JsonParser parser = STRICT.createParser(body)) {
      while (parser.nextToken() != null) {
        // reading every token is the check; duplicate names and malformed JSON throw
      }
    } catch (IOException e) {
      throw Problem.badRequest(e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
              ? "duplicate-field" : "body-not-json",
          e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
              ? "The body names a field twice; send each of osVersion and userAccountType at most once."
              : "The body is not valid JSON. Send a JSON object such as {\"osVersion\":\"windows11\"}, or no "
                  + "body at all.").exception();
    }
    if (io.vertx.core.json.Json.decodeValue(body) instanceof JsonObject object) {
      return object;
    }
    throw Problem.badRequest("body-not-an-object", "The body must be a JSON object such as "
        + "{\"osVersion\":\"windows11\",\"userAccountType\":\"standardUser\"}, or empty.").exception();
  }

  private static String enumValue(JsonObject json, String field, List<String> allowed) {
    if (!json.containsKey(field) || json.getValue(field) == null) {
      return null;
    }
    Object value = json.getValue(field);
    if (!(value instanceof String s) || !allowed.contains(s)) {
      throw Problem.badRequest("invalid-field-value", "Field '" + field + "' must be one of " + allowed
              + " (exactly as spelt), not " + (value instanceof String ? "'" + value + "'" : String.valueOf(value))
              + ".")
          .with("field", field).with("allowedValues", allowed).exception();
    }
    return s;
  }

  /** The body Graph's admin reprovision action takes (only the fields that were given). */
  public JsonObject graphBody() {
    JsonObject body = new JsonObject();
    if (osVersion != null) {
      body.put("osVersion", osVersion);
    }
    if (userAccountType != null) {
      body.put("userAccountType", userAccountType);
    }
    return body;
  }

  public boolean isEmpty() {
    return osVersion == null && userAccountType == null;
  }
}
