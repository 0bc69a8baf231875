package dev.cloudpc.reprovision.graph;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Graph's answer: status, JSON body (empty for 204), Graph's {@code request-id}, {@code Retry-After} if any, how many
 * attempts it took, and when the answered attempt was sent (what it shows is no older than that).
 */
public record GraphResponse(int status, JsonObject body, String requestId, String retryAfter, int attempts,
                            Instant sentAt) {

  public boolean ok() {
    return status >= 200 && status < 300;
  }

  /** Graph's error {@code code} — the field to branch on, never the message. */
  public String errorCode() {
    JsonObject error = body.getJsonObject("error");
    return error == null ? null : error.getString("code");
  }

  public String errorMessage() {
    JsonObject error = body.getJsonObject("error");
    return error == null ? null : error.getString("message");
  }
}
