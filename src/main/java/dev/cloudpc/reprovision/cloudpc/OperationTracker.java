package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Answers "how is the reprovision accepted at T doing?" from Graph alone, so any instance can answer a poll: the
 * newest Reprovision remote action that started at or after T (less clock skew). Only Graph's own word counts:
 * {@code done} succeeded; {@code failed}, {@code canceled} and {@code notSupported} did not
 * (api-reference/beta/resources/cloudpcremoteactionresult.md); {@code pending}/{@code active} are running. Anything
 * else — {@code none}, a state this code does not know, or no matching action at all — is reported as running only
 * for {@link #OUTCOME_WAIT} after acceptance, then as undetermined. The PC's status alone never means success: it is
 * "provisioned" before the rebuild starts as well as after it ends.
 */
public final class OperationTracker {
  /** Graph's and our clocks differ; an action that started slightly "before" acceptance is still ours. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
  /** How long Graph may take to list the accepted action with a known state before the tracker gives up. */
  static final Duration OUTCOME_WAIT = Duration.ofMinutes(15);

  private final CloudPcDirectory directory;

  public OperationTracker(CloudPcDirectory directory) {
    this.directory = directory;
  }

  /**
   * Decided from the PC as read (its {@code lastRemoteActionResult}) when that shows this reprovision or nothing
   * newer; only when a later remote action of another kind hides it, or the read did not carry the property, are the
   * PC's remote-action results read (one more Get Cloud PC).
   */
  public Future<OperationState> state(CloudPc pc, Instant acceptedAt, RequestScope scope) {
    if (needsHistory(pc, acceptedAt)) {
      return directory.lastReprovision(pc.id(), scope).map(last -> decide(pc, acceptedAt, last, Instant.now()));
    }
    return Future.succeededFuture(decide(pc, acceptedAt, pc.lastRemoteAction().reprovision(), Instant.now()));
  }

  private static boolean needsHistory(CloudPc pc, Instant acceptedAt) {
    CloudPc.LastRemoteAction last = pc.lastRemoteAction();
    if (!last.known()) {
      return true;
    }
    RemoteAction action = last.action();
    return action != null && !action.isReprovision() && (action.startDateTime() == null
        || !action.startDateTime().isBefore(acceptedAt.minus(CLOCK_SKEW)));
  }

  static OperationState decide(CloudPc pc, Instant acceptedAt, Optional<RemoteAction> last, Instant now) {
    RemoteAction ours = last.filter(a -> !a.startDateTime().isBefore(acceptedAt.minus(CLOCK_SKEW))).orElse(null);
    RemoteAction.Outcome outcome = ours == null ? RemoteAction.Outcome.UNKNOWN : ours.outcome();
    OperationState.Phase phase = switch (outcome) {
      case UNDER_WAY -> OperationState.Phase.RUNNING;
      case DONE -> OperationState.Phase.SUCCEEDED;
      case FAILED -> OperationState.Phase.FAILED;
      case UNKNOWN -> now.isAfter(acceptedAt.plus(OUTCOME_WAIT)) ? OperationState.Phase.UNDETERMINED
          : OperationState.Phase.RUNNING;
    };
    return new OperationState(phase, pc, ours);
  }
}
