package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/**
 * One started reprovision. Its state is a function of the clock, so thousands of rebuilds need no timers:
 * pending for the first tenth (at most 2 s), then active until {@code end}, then done or failed.
 *
 * @param failure set when the rebuild was told to fail ({@code failNextRebuild}); applies from {@code end} on
 */
record RemoteAction(String cloudPcId, String managedDeviceId, Instant start, Instant end, StatusDetail failure) {

  static final String NAME = "Reprovision";
  private static final Duration MAX_PENDING = Duration.ofSeconds(2);

  boolean runningAt(Instant now) {
    return now.isBefore(end);
  }

  String stateAt(Instant now) {
    if (now.isBefore(activeFrom())) {
      return "pending";
    }
    if (runningAt(now)) {
      return "active";
    }
    return failure == null ? "done" : "failed";
  }

  private Instant activeFrom() {
    Duration tenth = Duration.between(start, end).dividedBy(10);
    return start.plus(tenth.compareTo(MAX_PENDING) < 0 ? tenth : MAX_PENDING);
  }

  JsonObject toJson(Instant now) {
    String state = stateAt(now);
    Instant updated = switch (state) {
      case "pending" -> start;
      case "active" -> activeFrom();
      default -> end;
    };
    return new JsonObject()
        .put("actionName", NAME)
        .put("actionState", state)
        .put("startDateTime", start.toString())
        .put("lastUpdatedDateTime", updated.toString())
        .put("cloudPcId", cloudPcId)
        .put("managedDeviceId", managedDeviceId)
        .put("statusDetail", "failed".equals(state) ? failure.toJson() : null);
  }
}
