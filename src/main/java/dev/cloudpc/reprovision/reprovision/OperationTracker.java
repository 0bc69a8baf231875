package dev.cloudpc.reprovision.reprovision;

import dev.cloudpc.reprovision.http.RequestScope;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Answers "how is the reprovision accepted at T doing?" from Graph alone, so any instance can answer a poll: the
 * newest Reprovision remote action that started at or after T (less clock skew), else the PC's status.
 */
public final class OperationTracker {
  /** Graph's and our clocks differ; an action that started slightly "before" acceptance is still ours. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
  /** Without action results (v1.0), a PC still "provisioned" this soon after acceptance has not started yet. */
  private static final Duration STATUS_SETTLE = Duration.ofMinutes(2);

  private final CloudPcDirectory directory;

  public OperationTracker(CloudPcDirectory directory) {
    this.directory = directory;
  }

  public Future<OperationState> state(CloudPc pc, Instant acceptedAt, RequestScope scope) {
    return directory.lastReprovision(pc.id(), scope).map(last -> decide(pc, acceptedAt, last));
  }

  static OperationState decide(CloudPc pc, Instant acceptedAt, Optional<RemoteAction> last) {
    Optional<RemoteAction> ours = last.filter(a -> !a.startDateTime().isBefore(acceptedAt.minus(CLOCK_SKEW)));
    if (ours.isPresent()) {
      RemoteAction action = ours.get();
      OperationState.Phase phase = action.underWay() ? OperationState.Phase.RUNNING
          : "failed".equalsIgnoreCase(action.actionState()) ? OperationState.Phase.FAILED
          : OperationState.Phase.SUCCEEDED;
      return new OperationState(phase, pc, action);
    }
    if (pc.rebuilding()) {
      return new OperationState(OperationState.Phase.RUNNING, pc, null);
    }
    if ("failed".equalsIgnoreCase(pc.status())) {
      return new OperationState(OperationState.Phase.FAILED, pc, null);
    }
    boolean settled = Instant.now().isAfter(acceptedAt.plus(STATUS_SETTLE));
    return new OperationState(settled ? OperationState.Phase.SUCCEEDED : OperationState.Phase.RUNNING, pc, null);
  }
}
