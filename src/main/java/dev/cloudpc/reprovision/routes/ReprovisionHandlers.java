package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.auth.CallerValidator;
import dev.cloudpc.reprovision.cloudpc.AuditLog;
import dev.cloudpc.reprovision.cloudpc.ReprovisionOptions;
import dev.cloudpc.reprovision.cloudpc.ReprovisionOutcome;
import dev.cloudpc.reprovision.cloudpc.ReprovisionService;
import dev.cloudpc.reprovision.cloudpc.ReprovisionTarget;
import dev.cloudpc.reprovision.cloudpc.TargetResolver;
import dev.cloudpc.reprovision.request.InvocationLog;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.routes.IdempotencyStore.StoredAnswer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The reprovision routes: read and check the request, resolve the target, reprovision (or dry-run) it, and answer in
 * the async request-reply shape flows understand (202 + Location + Retry-After). Every decision is audited.
 */
public final class ReprovisionHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(ReprovisionHandlers.class);
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("^[\\x21-\\x7e]{1,255}$");

  private final TargetResolver resolver;
  private final ReprovisionService service;
  private final IdempotencyStore idempotency;
  private final AuditLog audit;
  private final OperationLinks links;
  private final Supplier<Duration> pollInterval;

  /** @param pollInterval the Retry-After of 202 answers (no faster than the view of PCs under way renews) */
  public ReprovisionHandlers(TargetResolver resolver, ReprovisionService service, IdempotencyStore idempotency,
                             AuditLog audit, OperationLinks links, Supplier<Duration> pollInterval) {
    this.resolver = resolver;
    this.service = service;
    this.idempotency = idempotency;
    this.audit = audit;
    this.links = links;
    this.pollInterval = pollInterval;
  }

  /** POST /api/cloudpcs/{cloudPcId}/reprovision — admins, any PC, optional body. */
  public void reprovision(RoutingContext ctx) {
    String cloudPcId = PathParams.cloudPcId(ctx);
    ReprovisionOptions options = ReprovisionOptions.parse(Bodies.json(ctx));
    run(ctx, "admin", cloudPcId, options,
        () -> resolver.admin(cloudPcId, options, CallerValidator.of(ctx), RequestScope.of(ctx)));
  }

  /** POST /api/users/{userId}/cloudpcs/{cloudPcId}/reprovision — the PC must belong to that user. */
  public void reprovisionForUser(RoutingContext ctx) {
    String userId = PathParams.userId(ctx);
    String cloudPcId = PathParams.cloudPcId(ctx);
    Bodies.none(ctx);
    run(ctx, "users", cloudPcId, ReprovisionOptions.NONE,
        () -> resolver.forUser(userId, cloudPcId, CallerValidator.of(ctx), RequestScope.of(ctx)));
  }

  /** POST /api/me/cloudpcs/{cloudPcId}/reprovision — the signed-in user's own PC. */
  public void reprovisionMine(RoutingContext ctx) {
    String cloudPcId = PathParams.cloudPcId(ctx);
    Bodies.none(ctx);
    run(ctx, "me", cloudPcId, ReprovisionOptions.NONE,
        () -> resolver.me(cloudPcId, CallerValidator.of(ctx), RequestScope.of(ctx)));
  }

  private void run(RoutingContext ctx, String route, String cloudPcId, ReprovisionOptions options,
                   Supplier<Future<ReprovisionTarget>> target) {
    boolean dryRun = PathParams.flag(ctx, "dryRun");
    Caller caller = CallerValidator.of(ctx);
    RequestScope scope = RequestScope.of(ctx);
    // Resolving may refuse synchronously (missing role); inside compose that becomes an audited failure.
    Supplier<Future<StoredAnswer>> work = () -> Future.succeededFuture().compose(v -> target.get())
        .compose(t -> service.reprovision(t, dryRun, scope))
        .map(outcome -> {
          audit.record(scope, caller, new AuditLog.Decision(route, cloudPcId, options, dryRun, outcomeName(outcome),
              outcome.graphRequestId(), null));
          return accepted(outcome, scope);
        })
        .recover(failure -> {
          if (!(failure instanceof ProblemException)) {
            InvocationLog.log(LOG, Level.ERROR, scope, scope.logTag() + " unexpected failure reprovisioning "
                + cloudPcId, failure);
          }
          Problem problem = failure instanceof ProblemException p ? p.problem()
              : Problem.of(500, "internal-error", "Internal error", "An unexpected error occurred; quote the "
                  + "clientRequestId when reporting it.");
          audit.record(scope, caller, new AuditLog.Decision(route, cloudPcId, options, dryRun,
              problem.status() >= 500 ? "failed" : "refused", problem.extensions().getString("graphRequestId"),
              problem.slug()));
          return Future.succeededFuture(problemAnswer(problem, scope));
        });
    // Only a request with an Idempotency-Key needs its fingerprint.
    Supplier<String> fingerprint = () -> route + "|" + ctx.request().path() + "|" + options.graphBody().encode()
        + "|" + dryRun;
    idempotent(ctx, caller, fingerprint, work).onSuccess(answer -> send(ctx, answer)).onFailure(ctx::fail);
  }

  private Future<StoredAnswer> idempotent(RoutingContext ctx, Caller caller, Supplier<String> fingerprint,
                                          Supplier<Future<StoredAnswer>> work) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      return work.get();
    }
    if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
      return Future.failedFuture(Problem.badRequest("invalid-idempotency-key", "Idempotency-Key must be 1–255 "
          + "visible ASCII characters, e.g. a GUID.").exception());
    }
    String storeKey = String.valueOf(caller.objectId() != null ? caller.objectId() : caller.appId()) + "\u0000" + key;
    String code = ctx.request().getParam("code");
    String encodedCode = code == null ? null : URLEncoder.encode(code, StandardCharsets.UTF_8);
    RequestScope scope = RequestScope.of(ctx);
    return idempotency.claim(storeKey, fingerprint.get(), encodedCode, scope.deadline()).compose(claim -> {
      if (claim instanceof IdempotencyStore.Owner owner) {
        return work.get().transform(owner::settle);
      }
      return ((IdempotencyStore.Replay) claim).answer().map(answer -> {
        audit.record(scope, caller, new AuditLog.Decision("replay", PathParams.cloudPcId(ctx), null,
            PathParams.flag(ctx, "dryRun"), "replayed", null, key.length() > 64 ? key.substring(0, 64) : key));
        Map<String, String> headers = new LinkedHashMap<>(answer.headers());
        headers.put("Idempotent-Replayed", "true");
        return IdempotencyStore.forCaller(new StoredAnswer(answer.status(), answer.contentType(), answer.body(),
            headers), encodedCode);
      });
    }); // a refusal (422, still pending at the deadline 503, store unavailable 503) fails the request with its problem
  }

  private StoredAnswer accepted(ReprovisionOutcome outcome, RequestScope scope) {
    ReprovisionTarget target = outcome.target();
    JsonObject body = new JsonObject()
        .put("cloudPcId", target.cloudPcId())
        .put("route", target.route())
        .put("graphRoute", target.reprovision().method() + " " + target.reprovision().path())
        .put("clientRequestId", scope.clientRequestId());
    Map<String, String> headers = new LinkedHashMap<>();
    if (outcome.kind() == ReprovisionOutcome.Kind.DRY_RUN) {
      body.put("status", "dryRun").put("dryRun", true).put("wouldSend", outcome.graphRequest())
          .put("checks", new io.vertx.core.json.JsonArray().add("caller authorized").add("request valid")
              .add("Cloud PC exists" + (target.route().equals("admin") ? "" : " and is the user's"))
              .add("reprovision supported").add("no reprovision already running"));
      return new StoredAnswer(200, "application/json", body.encode(), headers);
    }
    String operationId = Long.toString(outcome.acceptedAt().toEpochMilli());
    String location = links.single(scope, target.cloudPcId(), operationId);
    body.put("status", outcome.kind() == ReprovisionOutcome.Kind.ACCEPTED ? "accepted" : "alreadyRunning")
        .put("alreadyRunning", outcome.kind() == ReprovisionOutcome.Kind.ALREADY_RUNNING)
        .put("graphRequestId", outcome.graphRequestId())
        .put("acceptedAt", outcome.acceptedAt().toString())
        .put("operationId", operationId)
        .put("statusUrl", location);
    headers.put("Location", location);
    headers.put("Retry-After", Long.toString(pollInterval.get().toSeconds()));
    if (outcome.graphRequestId() != null) {
      headers.put("request-id", outcome.graphRequestId());
    }
    return new StoredAnswer(202, "application/json", body.encode(), headers);
  }

  static StoredAnswer problemAnswer(Problem problem, RequestScope scope) {
    Map<String, String> headers = new LinkedHashMap<>(problem.headers());
    String graphRequestId = problem.extensions().getString("graphRequestId");
    if (graphRequestId != null) {
      headers.put("request-id", graphRequestId);
    }
    return new StoredAnswer(problem.status(), Problem.CONTENT_TYPE,
        problem.toJson().put("clientRequestId", scope.clientRequestId()).encode(), headers);
  }

  static void send(RoutingContext ctx, StoredAnswer answer) {
    answer.headers().forEach(ctx.response()::putHeader);
    ctx.response().setStatusCode(answer.status()).putHeader("Content-Type", answer.contentType()).end(answer.body());
  }

  private static String outcomeName(ReprovisionOutcome outcome) {
    return switch (outcome.kind()) {
      case ACCEPTED -> "accepted";
      case ALREADY_RUNNING -> "already-running";
      case DRY_RUN -> "dry-run";
    };
  }
}
