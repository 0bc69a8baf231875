package dev.cloudpc.reprovision.health;

import dev.cloudpc.reprovision.auth.SigningKeys;
import dev.cloudpc.reprovision.budget.AppBudget;
import dev.cloudpc.reprovision.graph.GraphTokens;
import dev.cloudpc.reprovision.http.Responses;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.store.SharedStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * GET /api/health (anonymous): settings loaded, the tenant's signing keys fetched, a Graph token obtainable and no
 * Graph refusal (401) outstanding, the shared state store answering — from the caches, so a probe never calls Graph
 * and at most fetches what a request would have fetched anyway. 200 with the state, or a 503 problem whose detail
 * names the failing parts; never a secret. The Graph budget is reported as it stands (used, waiting, paused until):
 * a spent or paused budget is the budget working, not a failure.
 */
public final class HealthHandler implements Handler<RoutingContext> {
  private static final long CHECK_TIMEOUT_MS = 5_000;
  private static final long RETRY_AFTER_SECONDS = 10;

  private final HealthOptions options;
  private final SigningKeys keys;
  private final GraphTokens tokens;
  private final SharedStore store;
  private final AppBudget budget;

  public HealthHandler(HealthOptions options, SigningKeys keys, GraphTokens tokens, SharedStore store,
                       AppBudget budget) {
    this.options = options;
    this.keys = keys;
    this.tokens = tokens;
    this.store = store;
    this.budget = budget;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Future<Void> keyCheck = bounded(keys.ensureKeys());
    Future<Void> tokenCheck = bounded(tokens.appOnly().compose(token -> notRefused()));
    Future<Void> storeCheck = bounded(store.check());
    Future.join(keyCheck, tokenCheck, storeCheck).onComplete(ignored -> {
      JsonObject checks = new JsonObject()
          .put("settings", new JsonObject().put("status", "ok").put("detail", "loaded and valid"))
          .put("signingKeys", check(keyCheck, "fetched from " + options.openIdConfiguration(),
              "could not be fetched from " + options.openIdConfiguration() + ": "))
          .put("graphToken", check(tokenCheck, "obtainable with " + options.graphCredential().settingValue(),
              "not usable with " + options.graphCredential().settingValue() + ": "))
          .put("stateStore", check(storeCheck, store.describe(), store.describe() + ": "));
      JsonObject state = new JsonObject()
          .put("checks", checks)
          .put("cloud", options.cloud().settingValue())
          .put("tenantId", options.tenantId())
          .put("authorityHost", options.authorityHost().toString())
          .put("graphBaseUrl", options.graphBaseUrl().toString())
          .put("graphApiVersion", options.graphApiVersion())
          // Cloud PC state (status, remote actions) exists only on beta, whatever version the POST uses.
          .put("graphReadsVersion", "beta")
          .put("graphCredential", options.graphCredential().settingValue())
          .put("stateStore", store.describe())
          .put("graphBudget", budget.snapshot());
      ctx.response().putHeader("Cache-Control", "no-store");
      List<String> failing = checks.fieldNames().stream()
          .filter(name -> "failing".equals(checks.getJsonObject(name).getString("status")))
          .toList();
      if (failing.isEmpty()) {
        Responses.json(ctx, 200, new JsonObject().put("health", "healthy").mergeIn(state));
      } else {
        Responses.problem(ctx, unhealthy(failing, checks, state));
      }
    });
  }

  /**
   * A token Graph refused (401) stays a failure until Graph accepts one fetched after it: an obtainable token alone
   * does not show that Graph takes it.
   */
  private Future<Void> notRefused() {
    return tokens.appOnlyRefusal()
        .map(refusal -> Future.<Void>failedFuture(new IllegalStateException("Microsoft Graph refused the function's "
            + "token (HTTP 401 " + refusal.graphCode() + ", request-id " + refusal.graphRequestId() + ") and has not "
            + "accepted a newer one yet; the next request that reaches Graph shows whether a new token works")))
        .orElseGet(Future::succeededFuture);
  }

  private static Future<Void> bounded(Future<Void> check) {
    return check.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private static JsonObject check(Future<Void> outcome, String okDetail, String failurePrefix) {
    if (outcome.succeeded()) {
      return new JsonObject().put("status", "ok").put("detail", okDetail);
    }
    // Problems carry a detail written for callers; identity endpoints' raw errors never hold the credential.
    Throwable cause = outcome.cause();
    String why = cause instanceof ProblemException p ? p.problem().detail()
        : cause instanceof TimeoutException ? "no answer within " + CHECK_TIMEOUT_MS / 1000 + " s"
        : String.valueOf(cause.getMessage());
    return new JsonObject().put("status", "failing").put("detail", failurePrefix + why);
  }

  /** The 503 is a problem like every refusal; the state rides along as extension members. */
  private static Problem unhealthy(List<String> failing, JsonObject checks, JsonObject state) {
    String parts = failing.stream()
        .map(name -> name + " (" + checks.getJsonObject(name).getString("detail") + ")")
        .collect(Collectors.joining("; "));
    Problem problem = Problem.unavailable("unhealthy", "Not ready: " + parts + ". Requests that need "
            + String.join(" or ", failing) + " fail until this is fixed; check AZURE_AUTHORITY_HOST, AZURE_TENANT_ID "
            + "and the function's Graph credential (GRAPH_CREDENTIAL); for stateStore, AzureWebJobsStorage.",
            RETRY_AFTER_SECONDS)
        .with("health", "unhealthy");
    for (String member : state.fieldNames()) {
      problem = problem.with(member, state.getValue(member));
    }
    return problem;
  }
}
