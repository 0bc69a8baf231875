package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/** Graph's error JSON: clients branch on {@code error.code}; {@code innerError} carries the ids for support. */
final class GraphErrorBody {

  private GraphErrorBody() {
  }

  static GraphAnswer of(IncomingGraphRequest call, int status, String code, String message) {
    return of(call, status, code, message, Map.of());
  }

  static GraphAnswer of(IncomingGraphRequest call, int status, String code, String message, Map<String, String> headers) {
    JsonObject innerError = new JsonObject()
        .put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
        .put("request-id", call.requestId())
        .put("client-request-id", call.clientRequestId());
    JsonObject error = new JsonObject().put("code", code).put("message", message).put("innerError", innerError);
    return GraphAnswer.json(status, new JsonObject().put("error", error), headers);
  }

  static GraphAnswer badRequest(IncomingGraphRequest call, String message) {
    return of(call, 400, "BadRequest", message);
  }

  static GraphAnswer cloudPcNotFound(IncomingGraphRequest call, String id) {
    return of(call, 404, "ResourceNotFound", "The Cloud PC with id '" + id + "' was not found.");
  }
}
