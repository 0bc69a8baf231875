package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.request.InvocationLog;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Reprovisions many Cloud PCs through the same guarded path as one (ownership, duplicate guard, single flight), with
 * a bounded number in flight. When Graph throttles one PC even after the client's own retries, the whole batch
 * pauses for the Retry-After interval and that PC is tried again — it was not processed — within the deadline.
 */
public final class BulkReprovisioner {
  private static final Logger LOG = LoggerFactory.getLogger(BulkReprovisioner.class);
  public static final int CONCURRENCY = 8;
  private static final int MAX_REQUEUES = 3;
  private static final Duration DEFAULT_PAUSE = Duration.ofSeconds(2);

  private final Vertx vertx;
  private final ReprovisionService service;
  private final AuditLog audit;

  public BulkReprovisioner(Vertx vertx, ReprovisionService service, AuditLog audit) {
    this.vertx = vertx;
    this.service = service;
    this.audit = audit;
  }

  /** What a bulk run needs to know about its request. */
  public record Run(String route, Caller caller, ReprovisionOptions options, boolean dryRun, RequestScope scope,
                    BiFunction<String, String, String> statusUrl) {
  }

  public Future<List<PcResult>> reprovision(List<String> cloudPcIds,
                                            Function<String, Future<ReprovisionTarget>> resolve, Run run) {
    return new Batch(cloudPcIds, resolve, run).start();
  }

  private final class Batch {
    private final List<String> ids;
    private final Function<String, Future<ReprovisionTarget>> resolve;
    private final Run run;
    private final ConcurrentLinkedDeque<String> queue;
    private final Map<String, PcResult> results = new ConcurrentHashMap<>();
    private final Map<String, Integer> requeues = new ConcurrentHashMap<>();
    private volatile long pausedUntilNanos;

    Batch(List<String> ids, Function<String, Future<ReprovisionTarget>> resolve, Run run) {
      this.ids = ids;
      this.resolve = resolve;
      this.run = run;
      this.queue = new ConcurrentLinkedDeque<>(ids);
    }

    Future<List<PcResult>> start() {
      List<Future<Void>> lanes = new ArrayList<>();
      for (int i = 0; i < Math.min(CONCURRENCY, ids.size()); i++) {
        lanes.add(lane());
      }
      return Future.all(lanes).map(done -> ids.stream().map(results::get).toList());
    }

    private Future<Void> lane() {
      String id = queue.poll();
      if (id == null) {
        return Future.succeededFuture();
      }
      long waitMs = (pausedUntilNanos - System.nanoTime()) / 1_000_000;
      Future<Void> clearance = waitMs > 0 ? vertx.timer(waitMs).mapEmpty() : Future.succeededFuture();
      return clearance.compose(v -> one(id)).compose(v -> lane());
    }

    private Future<Void> one(String id) {
      return Future.succeededFuture(id).compose(resolve)
          .compose(target -> service.reprovision(target, run.dryRun(), run.scope()))
          .map(this::accepted)
          .recover(failure -> {
            if (!(failure instanceof ProblemException)) {
              InvocationLog.log(LOG, Level.ERROR, run.scope(), run.scope().logTag() + " unexpected failure "
                  + "reprovisioning " + id, failure);
            }
            Problem problem = failure instanceof ProblemException p ? p.problem()
                : Problem.of(500, "internal-error", "Internal error", "An unexpected error occurred.");
            return Future.succeededFuture(throttledAndRequeued(id, problem) ? null : refused(id, problem));
          })
          .map(result -> {
            if (result != null) {
              results.put(id, result);
              audit.record(run.scope(), run.caller(), new AuditLog.Decision(run.route(), id, run.options(),
                  run.dryRun(), result.result(), result.graphRequestId(), result.detail()));
            }
            return null;
          });
    }

    private PcResult accepted(ReprovisionOutcome outcome) {
      String id = outcome.target().cloudPcId();
      return switch (outcome.kind()) {
        case ACCEPTED -> new PcResult(id, "accepted", 202, outcome.graphRequestId(), null,
            run.statusUrl().apply(id, Long.toString(outcome.acceptedAt().toEpochMilli())));
        case ALREADY_RUNNING -> new PcResult(id, "alreadyRunning", 202, null, null,
            run.statusUrl().apply(id, Long.toString(outcome.acceptedAt().toEpochMilli())));
        case DRY_RUN -> new PcResult(id, "dryRun", 200, null, "would send " + outcome.graphRequest().encode(), null);
      };
    }

    /** Graph said it did not process this PC: pause the batch and try it again later, a bounded number of times. */
    private boolean throttledAndRequeued(String id, Problem problem) {
      if (problem.status() != 429 && problem.status() != 503) {
        return false;
      }
      int tries = requeues.merge(id, 1, Integer::sum);
      Duration pause = retryAfter(problem);
      if (tries > MAX_REQUEUES || !run.scope().deadline().allows(pause.plusSeconds(1))) {
        return false;
      }
      pausedUntilNanos = Math.max(pausedUntilNanos, System.nanoTime() + pause.toNanos());
      queue.addLast(id);
      return true;
    }

    private static Duration retryAfter(Problem problem) {
      try {
        return Duration.ofSeconds(Long.parseLong(problem.headers().getOrDefault("Retry-After", "")));
      } catch (NumberFormatException e) {
        return DEFAULT_PAUSE;
      }
    }

    private static PcResult refused(String id, Problem problem) {
      String result = switch (problem.status()) {
        case 404 -> "notFound";
        case 429, 503 -> "throttled";
        default -> problem.status() >= 500 ? "failed" : "refused";
      };
      return new PcResult(id, result, problem.status(), problem.extensions().getString("graphRequestId"),
          problem.detail(), null);
    }
  }
}
