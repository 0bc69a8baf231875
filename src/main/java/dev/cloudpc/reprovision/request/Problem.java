package dev.cloudpc.reprovision.request;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: what went wrong and, in {@code detail}, what the caller should fix. Extension members carry
 * machine-readable context (Graph's error code and request-id, the allowed values of a field, …).
 */
public record Problem(int status, String slug, String title, String detail, JsonObject extensions,
                      Map<String, String> headers) {

  public static final String CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_PREFIX = "urn:cloudpc-reprovision:problem:";

  public Problem {
    extensions = extensions == null ? new JsonObject() : extensions;
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(status, slug, title, detail, null, null);
  }

  public Problem with(String member, Object value) {
    if (value == null) {
      return this;
    }
    JsonObject copy = extensions.copy().put(member, value);
    return new Problem(status, slug, title, detail, copy, headers);
  }

  public Problem withHeader(String name, String value) {
    var copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new Problem(status, slug, title, detail, extensions, copy);
  }

  public String type() {
    return TYPE_PREFIX + slug;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("type", type())
        .put("title", title)
        .put("status", status)
        .put("detail", detail);
    extensions.forEach(e -> json.put(e.getKey(), e.getValue()));
    return json;
  }

  public ProblemException exception() {
    return new ProblemException(this);
  }

  // The common refusals, so that titles and slugs stay consistent across the code base.

  public static Problem badRequest(String slug, String detail) {
    return of(400, slug, "Bad request", detail);
  }

  public static Problem unauthorized(String detail) {
    return of(401, "unauthorized", "Unauthorized", detail);
  }

  public static Problem forbidden(String slug, String detail) {
    return of(403, slug, "Forbidden", detail);
  }

  public static Problem notFound(String slug, String detail) {
    return of(404, slug, "Not found", detail);
  }

  public static Problem unavailable(String slug, String detail, long retryAfterSeconds) {
    return of(503, slug, "Service unavailable", detail)
        .withHeader("Retry-After", Long.toString(retryAfterSeconds));
  }

  public static Map<String, Object> map(Object... keyValues) {
    var map = new LinkedHashMap<String, Object>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  /** The RFC 6750 challenge every 401 of this API carries; {@code why} is the caller's hint, never a credential. */
  public static String bearerChallenge(String why) {
    // The reason may quote token-chosen text (alg, kid): no control characters, quotes or unbounded length.
    String safe = why.replaceAll("[\\p{Cntrl}\"\\\\]", "?");
    return "Bearer error=\"invalid_token\", error_description=\""
        + (safe.length() > 160 ? safe.substring(0, 160) + "…" : safe) + "\"";
  }
}
