package dev.cloudpc.reprovision.cloudpc;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * One entry of Graph's {@code retrieveCloudPcRemoteActionResults}. {@code actionState} values
 * (api-reference/beta/resources/cloudpcremoteactionresult.md): none ("not a valid action state"), pending, canceled,
 * active, done ("completed without errors"), failed, notSupported. {@code statusDetails} is deprecated for
 * {@code statusDetail}; either is read.
 */
public record RemoteAction(String actionName, String actionState, Instant startDateTime,
                           String lastUpdatedDateTime, JsonObject statusDetail) {

  /** What a state says about the rebuild; anything not listed is {@link Outcome#UNKNOWN}. */
  public enum Outcome { UNDER_WAY, DONE, FAILED, UNKNOWN }

  private static final Set<String> UNDER_WAY = Set.of("pending", "active");
  private static final Set<String> FAILED = Set.of("failed", "canceled", "notSupported");

  static RemoteAction from(JsonObject json) {
    Instant start = null;
    try {
      String text = json.getValue("startDateTime") instanceof String s ? s : null;
      start = text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      start = null;
    }
    return new RemoteAction(json.getValue("actionName") instanceof String n ? n : null,
        json.getValue("actionState") instanceof String s ? s : null, start,
        json.getValue("lastUpdatedDateTime") instanceof String u ? u : null,
        json.getValue("statusDetail") instanceof JsonObject d ? d
            : json.getValue("statusDetails") instanceof JsonObject d2 ? d2 : null);
  }

  public boolean isReprovision() {
    return "Reprovision".equalsIgnoreCase(actionName);
  }

  public boolean underWay() {
    return outcome() == Outcome.UNDER_WAY;
  }

  public Outcome outcome() {
    if (actionState == null) {
      return Outcome.UNKNOWN;
    }
    if (UNDER_WAY.contains(actionState)) {
      return Outcome.UNDER_WAY;
    }
    if ("done".equals(actionState)) {
      return Outcome.DONE;
    }
    return FAILED.contains(actionState) ? Outcome.FAILED : Outcome.UNKNOWN;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("state", actionState)
        .put("startedAt", startDateTime == null ? null : startDateTime.toString())
        .put("updatedAt", lastUpdatedDateTime)
        .put("statusDetail", statusDetail);
  }
}
