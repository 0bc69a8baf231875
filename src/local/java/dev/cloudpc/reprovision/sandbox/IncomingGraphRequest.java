package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One Graph request, fully read, with the ids Graph attaches to its answer.
 *
 * @param params          decoded query parameters
 * @param clientRequestId the caller's {@code client-request-id}, or (as Graph does) the request id
 */
record IncomingGraphRequest(String method, String path, String rawQuery, MultiMap params, MultiMap headers, Buffer body,
                 String requestId, String clientRequestId, Instant at) {

  static IncomingGraphRequest of(HttpServerRequest request, Buffer body) {
    String requestId = Ids.guid();
    String clientRequestId = request.getHeader("client-request-id");
    return new IncomingGraphRequest(request.method().name(), request.path(), request.query() == null ? "" : request.query(),
        request.params(), request.headers(), body, requestId,
        clientRequestId == null || clientRequestId.isBlank() ? requestId : clientRequestId, Instant.now());
  }

  /** The bearer token, or null when the Authorization header is absent or not a bearer one. */
  String bearerToken() {
    String authorization = headers.get("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** Claims of the (already accepted) token, unverified; empty when there is none. */
  JsonObject tokenClaims() {
    String token = bearerToken();
    return token == null ? new JsonObject() : Jwt.unverifiedClaims(token);
  }

  RecordedRequest record() {
    Map<String, String> lowerCase = new LinkedHashMap<>();
    headers.forEach(entry -> lowerCase.merge(entry.getKey().toLowerCase(Locale.ROOT), entry.getValue(),
        (first, second) -> first + ", " + second));
    return new RecordedRequest(method, path, rawQuery, Map.copyOf(lowerCase), body.toString(), at);
  }
}
