package dev.cloudpc.reprovision.function;

import io.vertx.core.MultiMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The router's response headers as the Java worker can carry them: its response message keeps headers in a
 * {@code HashMap}, one value per case-sensitive name, the last write winning (azure-functions-java-worker
 * {@code .../worker/binding/RpcHttpDataTarget.java}). So repeats are settled here, deliberately: names are lower-cased
 * (HTTP names are case-insensitive; {@code Content-Type} and {@code content-type} must not become two headers); a
 * list-valued field ({@code WWW-Authenticate}, {@code Allow}, {@code Vary}, …) is joined with {@code ", "}, which
 * RFC 9110 §5.3 makes equivalent to the repeated lines; a field that holds one value keeps the last one written, as
 * Vert.x's own {@code putHeader} would; framing headers are the host's to write.
 */
final class ResponseHeaders {
  private static final Set<String> FRAMING = Set.of("content-length", "connection", "transfer-encoding",
      "keep-alive");
  /**
   * Fields with a single value (RFC 9110 / RFC 9111 / Graph's ids): joining them would make a wrong value. Set-Cookie
   * cannot be joined either (RFC 6265 §3); the API sets no cookies.
   */
  private static final Set<String> SINGLE = Set.of("content-type", "location", "retry-after", "date", "etag",
      "last-modified", "expires", "age", "client-request-id", "request-id", "content-location", "content-encoding",
      "set-cookie");

  private ResponseHeaders() {
  }

  static Map<String, String> reduce(MultiMap headers) {
    Map<String, String> reduced = new LinkedHashMap<>();
    headers.forEach(header -> {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (FRAMING.contains(name)) {
        return;
      }
      reduced.merge(name, header.getValue(), SINGLE.contains(name) ? (first, last) -> last
          : (first, next) -> first + ", " + next);
    });
    return reduced;
  }
}
