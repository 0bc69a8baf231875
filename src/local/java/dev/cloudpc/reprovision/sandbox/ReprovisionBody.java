package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The optional body of Graph's reprovision action. Strict on purpose: a product bug that sends an unknown field or
 * value should fail loudly in tests, as Graph's OData parser does.
 */
record ReprovisionBody(String osVersion, String userAccountType) {

  static final ReprovisionBody EMPTY = new ReprovisionBody(null, null);
  private static final Set<String> OS_VERSIONS = Set.of("windows10", "windows11");
  private static final Set<String> ACCOUNT_TYPES = Set.of("standardUser", "administrator");

  /** @throws IllegalArgumentException with a message fit for Graph's BadRequest */
  static ReprovisionBody parse(Buffer body) {
    if (body == null || body.toString().isBlank()) {
      return EMPTY;
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("The request body is not a valid JSON object.");
    }
    for (String field : json.fieldNames()) {
      if (!"osVersion".equals(field) && !"userAccountType".equals(field)) {
        throw new IllegalArgumentException("The property '" + field
            + "' does not exist on type 'microsoft.graph.reprovision'. Make sure to only use property names that"
            + " are defined by the type.");
      }
    }
    return new ReprovisionBody(member(json, "osVersion", OS_VERSIONS),
        member(json, "userAccountType", ACCOUNT_TYPES));
  }

  private static String member(JsonObject json, String field, Set<String> allowed) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || !allowed.contains(text)) {
      throw new IllegalArgumentException("Invalid value '" + value + "' for property '" + field
          + "'. Allowed values: " + String.join(", ", allowed.stream().sorted().toList()) + ".");
    }
    return text;
  }
}
