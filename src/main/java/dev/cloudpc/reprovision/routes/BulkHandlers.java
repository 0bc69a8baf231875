package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.auth.CallerValidator;
import dev.cloudpc.reprovision.cloudpc.BulkReprovisioner;
import dev.cloudpc.reprovision.cloudpc.OperationTracker;
import dev.cloudpc.reprovision.cloudpc.PcResult;
import dev.cloudpc.reprovision.cloudpc.ReprovisionOptions;
import dev.cloudpc.reprovision.cloudpc.ReprovisionTarget;
import dev.cloudpc.reprovision.cloudpc.TargetResolver;
import dev.cloudpc.reprovision.http.Responses;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Many Cloud PCs in one request — a list (admins) or all of a user's — answered with per-PC results and, when
 * anything is under way, a Location that polls all of them together (202 while any runs, then 200 with counts).
 */
public final class BulkHandlers {
  private final TargetResolver resolver;
  private final BulkReprovisioner bulk;
  private final OperationTracker tracker;
  private final OperationLinks links;
  private final BulkOptions options;
  private final Supplier<Duration> pollInterval;

  /** @param pollInterval the Retry-After of 202 answers (no faster than the view of PCs under way renews) */
  public BulkHandlers(TargetResolver resolver, BulkReprovisioner bulk, OperationTracker tracker,
                      OperationLinks links, BulkOptions options, Supplier<Duration> pollInterval) {
    this.resolver = resolver;
    this.bulk = bulk;
    this.tracker = tracker;
    this.links = links;
    this.options = options;
    this.pollInterval = pollInterval;
  }

  /** POST /api/cloudpcs/reprovision {cloudPcIds, osVersion?, userAccountType?} — admins. */
  public void reprovisionMany(RoutingContext ctx) {
    Caller caller = CallerValidator.of(ctx);
    resolver.requireAdmin(caller);
    BulkRequest request = BulkRequest.parse(Bodies.json(ctx), options.maxPcs());
    RequestScope scope = RequestScope.of(ctx);
    BulkReprovisioner.Run run = run(ctx, "bulk", request.options());
    bulk.reprovision(request.cloudPcIds(), id -> resolver.admin(id, request.options(), caller, scope), run)
        .onSuccess(results -> answer(ctx, run, results))
        .onFailure(ctx::fail);
  }

  /** POST /api/users/{userId}/cloudpcs/reprovision — every Cloud PC of that user. */
  public void reprovisionAllOfUser(RoutingContext ctx) {
    String userId = PathParams.userId(ctx);
    Bodies.none(ctx);
    Caller caller = CallerValidator.of(ctx);
    RequestScope scope = RequestScope.of(ctx);
    BulkReprovisioner.Run run = run(ctx, "users-all", ReprovisionOptions.NONE);
    resolver.allOfUser(userId, caller, scope)
        .compose(targets -> {
          if (targets.isEmpty()) {
            return Future.failedFuture(Problem.notFound("no-cloud-pcs", "User " + userId + " has no Cloud PC; "
                + "nothing was reprovisioned.").exception());
          }
          Map<String, ReprovisionTarget> byId = targets.stream()
              .collect(Collectors.toMap(ReprovisionTarget::cloudPcId, Function.identity(), (a, b) -> a));
          return bulk.reprovision(List.copyOf(byId.keySet()), id -> Future.succeededFuture(byId.get(id)), run);
        })
        .onSuccess(results -> answer(ctx, run, results))
        .onFailure(ctx::fail);
  }

  /** GET /api/cloudpcs/reprovision/operations/{bulkOperationId}. */
  public void operation(RoutingContext ctx) {
    String text = ctx.pathParam("bulkOperationId");
    BulkOperationId operation = BulkOperationId.decode(text, options.maxPcs());
    RequestScope scope = RequestScope.of(ctx);
    inBatches(operation.cloudPcIds(), id -> resolver.pollable(id, ctx, operation.acceptedAt(), scope)
            .compose(pc -> tracker.state(pc, operation.acceptedAt(), scope))
            .map(state -> new JsonObject().put("cloudPcId", id)
                .put("state", state.phase().name().toLowerCase(java.util.Locale.ROOT))
                .put("cloudPcStatus", state.pc().status())
                .put("checkedAt", state.pc().readAt().toString()))
            .recover(failure -> Future.succeededFuture(new JsonObject().put("cloudPcId", id).put("state", "unknown")
                .put("detail", failure instanceof ProblemException p ? p.problem().detail() : "unexpected error"))))
        .onSuccess(states -> {
          Map<String, Integer> counts = new TreeMap<>();
          states.forEach(s -> counts.merge(s.getString("state"), 1, Integer::sum));
          boolean running = counts.getOrDefault("running", 0) > 0;
          JsonObject body = new JsonObject().put("operationId", text)
              .put("acceptedAt", operation.acceptedAt().toString())
              .put("state", running ? "running" : "completed").put("total", states.size())
              .put("counts", new JsonObject(Map.copyOf(counts))).put("results", new JsonArray(states));
          if (running) {
            ctx.response().putHeader("Location", links.bulk(scope, text))
                .putHeader("Retry-After", Long.toString(pollInterval.get().toSeconds()));
          }
          Responses.json(ctx, running ? 202 : 200, body);
        })
        .onFailure(ctx::fail);
  }

  /** {@code check} for every id, a few at a time, so one poll cannot fire a burst of Graph reads. */
  private static Future<List<JsonObject>> inBatches(List<String> ids, Function<String, Future<JsonObject>> check) {
    Future<List<JsonObject>> done = Future.succeededFuture(new ArrayList<>());
    for (int from = 0; from < ids.size(); from += BulkReprovisioner.CONCURRENCY) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + BulkReprovisioner.CONCURRENCY));
      done = done.compose(results -> Future.all(batch.stream().map(check).toList()).map(all -> {
        for (int i = 0; i < all.size(); i++) {
          results.add(all.resultAt(i));
        }
        return results;
      }));
    }
    return done;
  }

  private BulkReprovisioner.Run run(RoutingContext ctx, String route, ReprovisionOptions options) {
    RequestScope scope = RequestScope.of(ctx);
    return new BulkReprovisioner.Run(route, CallerValidator.of(ctx), options, PathParams.flag(ctx, "dryRun"), scope,
        (id, operationId) -> links.single(scope, id, operationId));
  }

  private void answer(RoutingContext ctx, BulkReprovisioner.Run run, List<PcResult> results) {
    Map<String, Integer> counts = new TreeMap<>();
    results.forEach(r -> counts.merge(r.result(), 1, Integer::sum));
    JsonObject body = new JsonObject()
        .put("total", results.size())
        .put("counts", new JsonObject(Map.copyOf(counts)))
        .put("results", new JsonArray(results.stream().map(PcResult::toJson).toList()))
        .put("clientRequestId", run.scope().clientRequestId());
    List<String> underWay = results.stream().filter(PcResult::underWay).map(PcResult::cloudPcId).toList();
    if (underWay.isEmpty()) {
      Responses.json(ctx, 200, body.put("dryRun", run.dryRun()));
      return;
    }
    String operationId = new BulkOperationId(Instant.now().minusSeconds(1), underWay).encode();
    String location = links.bulk(run.scope(), operationId);
    ctx.response().putHeader("Location", location)
        .putHeader("Retry-After", Long.toString(pollInterval.get().toSeconds()));
    Responses.json(ctx, 202, body.put("operationId", operationId).put("statusUrl", location));
  }
}
