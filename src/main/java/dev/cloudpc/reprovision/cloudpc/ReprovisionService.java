package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.graph.GraphClient;
import dev.cloudpc.reprovision.graph.GraphErrors;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.store.SharedStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Sends a reprovision at most once: refuses a PC another operation owns, answers "already running" instead of
 * sending a second wipe while one is pending or running (as Graph reports it), and coalesces concurrent requests for
 * one PC into a single POST — on this instance and, through the shared store, across instances — remembered for a while
 * after Graph accepted it because Graph's status may lag behind the POST. An answer that leaves open whether Graph acted (5xx, timeout, reset) is remembered the
 * same way, so a caller's automatic retry gets that answer again instead of a possible second wipe.
 */
public final class ReprovisionService {
  private static final Set<String> AMBIGUOUS = Set.of("graph-timeout", "graph-connection-lost");

  private final GraphClient graph;
  private final CloudPcDirectory directory;
  private final RecentReprovisions recent;

  /** @param store where the memory of recent reprovisions is shared with the other instances */
  public ReprovisionService(GraphClient graph, CloudPcDirectory directory, SharedStore store) {
    this.graph = graph;
    this.directory = directory;
    this.recent = new RecentReprovisions(store);
  }

  public Future<ReprovisionOutcome> reprovision(ReprovisionTarget target, boolean dryRun, RequestScope scope) {
    Future<ReprovisionOutcome> known = recent.find(target.cloudPcId());
    if (known != null && !dryRun) {
      return known.map(ReprovisionOutcome::asDuplicate);
    }
    return Future.succeededFuture(target.pc()).compose(pc -> {
      RemoteAction running = underWay(pc);
      if (running != null) {
        return Future.succeededFuture(new ReprovisionOutcome(ReprovisionOutcome.Kind.ALREADY_RUNNING, target, null,
            running.startDateTime(), null));
      }
      Optional<String> whyNot = pc.whyNotReprovisionable();
      if (whyNot.isPresent()) {
        return dryRun ? refused(pc, whyNot.get()) : refusedUnlessRecorded(target, whyNot.get());
      }
      return dryRun ? dryRun(target, scope) : once(target, scope);
    });
  }

  /**
   * The reprovision under way on the PC, decided from the one read of it: its {@code lastRemoteActionResult}
   * (beta resources/cloudpcremoteactionresult.md: actionState none, pending, canceled, active, done, failed,
   * notSupported). A Reprovision pending or active is running (answering "already running" is then the truth); any
   * action that ended leaves nothing under way. What the read cannot settle is refused, never taken as "nothing
   * under way": no lastRemoteActionResult in the answer, another action still pending or active (a reprovision
   * behind it would not show), or a state Microsoft does not document as an outcome.
   *
   * @return the running reprovision, or null when nothing is under way
   */
  private static RemoteAction underWay(CloudPc pc) {
    CloudPc.LastRemoteAction last = pc.lastRemoteAction();
    if (!last.known()) {
      throw Problem.of(502, "graph-answer-incomplete", "Bad gateway", "Graph's answer for Cloud PC " + pc.id()
          + " did not include lastRemoteActionResult, so whether a reprovision is already under way cannot be "
          + "told. Nothing was sent; try again, and check the Cloud PC in Intune if it lasts.").exception();
    }
    RemoteAction action = last.action();
    if (action == null) {
      return null;
    }
    return switch (action.outcome()) {
      case DONE, FAILED -> null;
      case UNDER_WAY -> {
        if (action.isReprovision() && action.startDateTime() != null) {
          yield action;
        }
        throw Problem.of(409, "remote-action-in-progress", "Conflict", "Cloud PC " + pc.id() + " has a '"
            + CloudPc.printable(action.actionName()) + "' remote action " + action.actionState() + " in Graph; a reprovision "
            + "now could run into it. Nothing was sent; try again once it has finished.")
            .with("actionName", action.actionName()).with("actionState", action.actionState()).exception();
      }
      case UNKNOWN -> throw Problem.of(502, "remote-action-state-unknown", "Bad gateway", "Cloud PC " + pc.id()
              + "'s last remote action ('" + CloudPc.printable(action.actionName()) + "') is in state '"
              + CloudPc.printable(action.actionState()) + "', which does not tell whether it is still under way. Nothing "
              + "was sent; try again later, or check the Cloud PC in Intune.")
          .with("actionName", action.actionName()).with("actionState", action.actionState()).exception();
    };
  }

  /**
   * A status from which Microsoft documents no reprovision (allowlist, see {@link CloudPc}) is refused with its
   * reason — unless the PC is {@code provisioning} because of a reprovision this function sent in the last minutes
   * (on any instance) while Graph does not list the action yet: then that reprovision's recorded answer is the truth.
   * A store that cannot be read leaves the refusal, which sends nothing either.
   */
  private Future<ReprovisionOutcome> refusedUnlessRecorded(ReprovisionTarget target, String why) {
    if (!"provisioning".equals(target.pc().status())) {
      return refused(target.pc(), why);
    }
    return recent.recordedOr(target, () -> refused(target.pc(), why));
  }

  private static Future<ReprovisionOutcome> refused(CloudPc pc, String why) {
    return Future.failedFuture(Problem.of(409, "cloud-pc-not-reprovisionable", "Conflict", "Cloud PC " + pc.id()
            + " is '" + pc.status() + "': it " + why + ". Nothing was sent.")
        .with("cloudPcStatus", pc.status()).with("statusDetail", pc.statusDetail()).exception());
  }

  private Future<ReprovisionOutcome> dryRun(ReprovisionTarget target, RequestScope scope) {
    return directory.reprovisionSupported(target.cloudPcId(), scope).compose(ok -> {
      if (!ok) {
        return Future.failedFuture(Problem.of(409, "reprovision-not-supported", "Conflict", "Graph does not offer "
            + "Reprovision for Cloud PC " + target.cloudPcId() + " right now (getSupportedCloudPcRemoteActions).")
            .exception());
      }
      JsonObject request = new JsonObject()
          .put("method", target.reprovision().method().name())
          .put("url", graph.urlOf(target.reprovision()))
          .put("body", target.reprovision().body());
      return Future.succeededFuture(new ReprovisionOutcome(ReprovisionOutcome.Kind.DRY_RUN, target, null, null,
          request));
    });
  }

  /**
   * Whether the POST may have run: Graph answered a 5xx other than 503, or the answer never came after sending
   * (timeout, reset). Refusals before sending, 4xx, 429 and 503 say it did not.
   */
  private static boolean mayHaveActed(Throwable failure) {
    if (!(failure instanceof ProblemException p)) {
      return true; // unknown: assume the worst
    }
    Integer graphStatus = p.problem().extensions().getInteger("graphStatus");
    return graphStatus != null ? graphStatus >= 500 && graphStatus != 503
        : AMBIGUOUS.contains(p.problem().slug());
  }

  private Future<ReprovisionOutcome> once(ReprovisionTarget target, RequestScope scope) {
    String id = target.cloudPcId();
    return recent.once(target, () -> {
      Instant sentAt = Instant.now();
      return graph.send(target.reprovision(), scope)
          .compose(response -> response.ok()
              ? Future.succeededFuture(new ReprovisionOutcome(ReprovisionOutcome.Kind.ACCEPTED, target,
                  response.requestId(), sentAt, null))
              : Future.<ReprovisionOutcome>failedFuture(GraphErrors.problem(response, target.delegated(),
                  "the reprovision of Cloud PC " + id).exception()));
    }, ReprovisionService::mayHaveActed);
  }
}
