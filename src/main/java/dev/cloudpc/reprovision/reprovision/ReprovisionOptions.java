package dev.cloudpc.reprovision.reprovision;

import dev.cloudpc.reprovision.http.Problem;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
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

  /** Parses a body already known to be JSON-typed and within the size limit; null or blank means no options. */
  public static ReprovisionOptions parse(String body) {
    return body == null || body.isBlank() ? NONE : from(object(body));
  }

  static ReprovisionOptions from(JsonObject json) {
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

  /** The body as a JSON object, or a 400 saying what is wrong with it. */
  static JsonObject object(String body) {
    try {
      if (io.vertx.core.json.Json.decodeValue(body) instanceof JsonObject object) {
        return object;
      }
      throw Problem.badRequest("body-not-an-object", "The body must be a JSON object such as "
          + "{\"osVersion\":\"windows11\",\"userAccountType\":\"standardUser\"}, or empty.").exception();
    } catch (DecodeException e) {
      throw Problem.badRequest("body-not-json", "The body is not valid JSON. Send a JSON object such as "
          + "{\"osVersion\":\"windows11\"}, or no body at all.").exception();
    }
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
