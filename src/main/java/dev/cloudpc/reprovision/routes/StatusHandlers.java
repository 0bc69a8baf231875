package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.auth.CallerValidator;
import dev.cloudpc.reprovision.cloudpc.CloudPc;
import dev.cloudpc.reprovision.cloudpc.OperationState;
import dev.cloudpc.reprovision.cloudpc.OperationTracker;
import dev.cloudpc.reprovision.cloudpc.RemoteAction;
import dev.cloudpc.reprovision.cloudpc.TargetResolver;
import dev.cloudpc.reprovision.http.Responses;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Status for people and flows: the Cloud PC's state as flat JSON, and the poll target of one reprovision operation
 * (202 while running, 200 when done, a 422 problem when Graph reports it failed, was canceled or is not supported,
 * a 502 problem when Graph gave no outcome in time — so a flow's "run after failed" runs whenever success is not
 * Graph's word).
 */
public final class StatusHandlers {
  private final TargetResolver resolver;
  private final OperationTracker tracker;
  private final OperationLinks links;
  private final Supplier<Duration> pollInterval;

  /** @param pollInterval the Retry-After of 202 answers (no faster than the view of PCs under way renews) */
  public StatusHandlers(TargetResolver resolver, OperationTracker tracker, OperationLinks links,
                        Supplier<Duration> pollInterval) {
    this.resolver = resolver;
    this.tracker = tracker;
    this.links = links;
    this.pollInterval = pollInterval;
  }

  /** GET /api/cloudpcs/{cloudPcId}. */
  public void status(RoutingContext ctx) {
    String cloudPcId = PathParams.cloudPcId(ctx);
    RequestScope scope = RequestScope.of(ctx);
    resolver.readable(cloudPcId, CallerValidator.of(ctx), Instant.EPOCH, scope)
        .map(StatusHandlers::statusJson)
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /** GET /api/cloudpcs/{cloudPcId}/operations/{operationId}. */
  public void operation(RoutingContext ctx) {
    String cloudPcId = PathParams.cloudPcId(ctx);
    String operationId = ctx.pathParam("operationId");
    Instant acceptedAt = acceptedAt(operationId);
    RequestScope scope = RequestScope.of(ctx);
    // Only what Graph showed after the acceptance can tell how this reprovision is doing.
    resolver.pollable(cloudPcId, ctx, acceptedAt, scope)
        .compose(pc -> tracker.state(pc, acceptedAt, scope))
        .onSuccess(state -> answer(ctx, scope, operationId, acceptedAt, state))
        .onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, RequestScope scope, String operationId, Instant acceptedAt,
                      OperationState state) {
    CloudPc pc = state.pc();
    JsonObject body = new JsonObject()
        .put("operationId", operationId)
        .put("cloudPcId", pc.id())
        .put("acceptedAt", acceptedAt.toString())
        .put("cloudPcStatus", pc.status())
        .put("checkedAt", pc.readAt().toString());
    if (state.action() != null) {
      body.put("reprovision", state.action().toJson());
    }
    switch (state.phase()) {
      case RUNNING -> {
        String location = links.single(scope, pc.id(), operationId);
        ctx.response().putHeader("Location", location)
            .putHeader("Retry-After", Long.toString(pollInterval.get().toSeconds()));
        Responses.json(ctx, 202, body.put("state", "running"));
      }
      case SUCCEEDED -> Responses.json(ctx, 200, body.put("state", "succeeded")
          .put("completedAt", state.action().lastUpdatedDateTime()));
      case FAILED -> {
        RemoteAction action = state.action();
        JsonObject detail = action.statusDetail() != null ? action.statusDetail() : pc.statusDetail();
        String why = detail == null ? "Graph gave no detail" : detail.getString("code", "") + ": "
            + detail.getString("message", "");
        ctx.fail(Problem.of(422, "reprovision-" + slug(action.actionState()), "Reprovision did not complete",
                "The reprovision of Cloud PC " + pc.id() + " ended '" + action.actionState() + "' in Graph ("
                + why + "). Check the Cloud PC in Intune → Devices → Windows 365; a new reprovision can be "
                + "requested.")
            .with("cloudPcId", pc.id()).with("operationId", operationId).with("actionState", action.actionState())
            .with("statusDetail", detail).exception());
      }
      case UNDETERMINED -> ctx.fail(Problem.of(502, "reprovision-outcome-unknown", "Outcome unknown",
              "Graph has not reported how the reprovision of Cloud PC " + pc.id() + " accepted at " + acceptedAt
              + " ended (" + (state.action() == null ? "no matching Reprovision remote action"
                  : "remote action state '" + state.action().actionState() + "'") + "), so success cannot be "
              + "claimed. Check the Cloud PC's remote actions in Intune → Devices → Windows 365 → the Cloud PC, or "
              + "GET /api/cloudpcs/" + pc.id() + ", before requesting another reprovision.")
          .with("cloudPcId", pc.id()).with("operationId", operationId).with("cloudPcStatus", pc.status())
          .exception());
    }
  }

  /** failed → reprovision-failed, canceled → reprovision-canceled, notSupported → reprovision-not-supported. */
  private static String slug(String actionState) {
    return actionState.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
  }

  private static Instant acceptedAt(String operationId) {
    try {
      long millis = Long.parseLong(operationId);
      Instant at = Instant.ofEpochMilli(millis);
      if (operationId.length() <= 16 && millis > 0 && at.isBefore(Instant.now().plus(Duration.ofDays(1)))) {
        return at;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw Problem.notFound("no-such-operation", "'" + PathParams.printable(operationId) + "' is not an operation "
        + "id; use the Location URL a reprovision answered with.").exception();
  }

  /**
   * The flat status: the PC's state and its last remote action as one read showed it ({@code checkedAt}: when that
   * read was sent — a view's read may be shortly older than the request). The
   * lastReprovision fields describe that action when it is a Reprovision; reprovisionRunning is true only when Graph
   * shows one pending or active.
   */
  static JsonObject statusJson(CloudPc pc) {
    RemoteAction last = pc.lastRemoteAction().action();
    Optional<RemoteAction> reprovision = pc.lastRemoteAction().reprovision();
    return new JsonObject()
        .put("cloudPcId", pc.id())
        .put("displayName", pc.displayName())
        .put("userPrincipalName", pc.userPrincipalName())
        .put("status", pc.status())
        .put("statusDetailCode", pc.statusDetail() == null ? null : pc.statusDetail().getString("code"))
        .put("statusDetailMessage", pc.statusDetail() == null ? null : pc.statusDetail().getString("message"))
        .put("reprovisionRunning", reprovision.map(RemoteAction::underWay).orElse(false))
        .put("lastReprovisionState", reprovision.map(RemoteAction::actionState).orElse(null))
        .put("lastReprovisionStartedAt", reprovision.map(a -> a.startDateTime().toString()).orElse(null))
        .put("lastReprovisionUpdatedAt", reprovision.map(RemoteAction::lastUpdatedDateTime).orElse(null))
        .put("lastRemoteActionName", last == null ? null : last.actionName())
        .put("lastRemoteActionState", last == null ? null : last.actionState())
        .put("checkedAt", pc.readAt().toString());
  }
}
