package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/**
 * One started reprovision. Its state is a function of the clock, so thousands of rebuilds need no timers:
 * pending for the first tenth (at most 2 s), then active until {@code end}, then its ending: done unless told
 * otherwise. Graph's actionState values are none, pending, canceled, active, done, failed, notSupported
 * (api-reference/beta/resources/cloudpcremoteactionresult.md); any of them can be the ending.
 *
 * @param ending how the rebuild ends ({@code endNextRebuild}); null: done
 */
record SimulatedRebuild(String cloudPcId, String managedDeviceId, Instant start, Instant end, Ending ending) {

  /** A rebuild's final actionState, with the statusDetail Graph gives for it (may be null). */
  record Ending(String state, StatusDetail detail) {
  }

  static final String NAME = "Reprovision";

  /** The rebuild ended failed: the PC then shows status failed with the detail. */
  boolean failedAt(Instant now) {
    return !runningAt(now) && ending != null && "failed".equals(ending.state());
  }
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
    return ending == null ? "done" : ending.state();
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
        .put("statusDetail", ending != null && state.equals(ending.state()) && ending.detail() != null
            ? ending.detail().toJson() : null);
  }
}
