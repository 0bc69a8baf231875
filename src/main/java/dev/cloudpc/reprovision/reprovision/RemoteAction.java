package dev.cloudpc.reprovision.reprovision;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/** One entry of Graph's {@code retrieveCloudPcRemoteActionResults}. */
public record RemoteAction(String actionName, String actionState, Instant startDateTime,
                           String lastUpdatedDateTime, JsonObject statusDetail) {

  private static final Set<String> UNDER_WAY = Set.of("pending", "active");

  static RemoteAction from(JsonObject json) {
    Instant start = null;
    try {
      String text = json.getString("startDateTime");
      start = text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      start = null;
    }
    return new RemoteAction(json.getString("actionName"), json.getString("actionState"), start,
        json.getString("lastUpdatedDateTime"),
        json.getValue("statusDetail") instanceof JsonObject d ? d
            : json.getValue("statusDetails") instanceof JsonObject d2 ? d2 : null);
  }

  public boolean isReprovision() {
    return "Reprovision".equalsIgnoreCase(actionName);
  }

  public boolean underWay() {
    return UNDER_WAY.contains(actionState);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("state", actionState)
        .put("startedAt", startDateTime == null ? null : startDateTime.toString())
        .put("updatedAt", lastUpdatedDateTime)
        .put("statusDetail", statusDetail);
  }
}
