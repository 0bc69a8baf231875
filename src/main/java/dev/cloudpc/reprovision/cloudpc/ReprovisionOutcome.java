package dev.cloudpc.reprovision.cloudpc;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What a reprovision request achieved.
 *
 * @param acceptedAt when Graph accepted this (or the already running) reprovision; it identifies the operation
 * @param graphRequest for dry runs: the exact Graph request that would have been sent
 */
public record ReprovisionOutcome(Kind kind, ReprovisionTarget target, String graphRequestId, Instant acceptedAt,
                                 JsonObject graphRequest) {

  public enum Kind { ACCEPTED, ALREADY_RUNNING, DRY_RUN }

  ReprovisionOutcome asDuplicate() {
    return kind == Kind.ACCEPTED ? new ReprovisionOutcome(Kind.ALREADY_RUNNING, target, graphRequestId, acceptedAt,
        graphRequest) : this;
  }
}
