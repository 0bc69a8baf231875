package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Entra's OAuth error body: clients branch on {@code error} and {@code error_codes}, people read the AADSTS text. */
final class EntraError {

  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

  private EntraError() {
  }

  static JsonReply of(int status, String error, int code, String description) {
    String trace = Ids.guid();
    String correlation = Ids.guid();
    String timestamp = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(TIMESTAMP);
    return new JsonReply(status, new JsonObject()
        .put("error", error)
        .put("error_description", "AADSTS" + code + ": " + description + "\r\nTrace ID: " + trace
            + "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: " + timestamp)
        .put("error_codes", new JsonArray().add(code))
        .put("timestamp", timestamp)
        .put("trace_id", trace)
        .put("correlation_id", correlation)
        .put("error_uri", "https://login.microsoftonline.com/error?code=" + code));
  }

  /** The managed identity endpoint answers with a plainer shape than Entra. */
  static JsonReply managedIdentity(int status, String error, String description) {
    return new JsonReply(status, new JsonObject().put("error", error).put("error_description", description));
  }
}
