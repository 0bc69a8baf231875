package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.store.SharedStore.Entry;
import dev.cloudpc.reprovision.store.SharedStore.Key;
import dev.cloudpc.reprovision.store.SharedStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per Cloud PC: the reprovision in flight, and for two minutes after it the answer it got, so that repeats join it
 * instead of posting again. Two layers: this instance's memory (concurrent requests here join one Future, so the
 * shared store is asked once per PC per instance), then the {@link SharedStore} every instance uses — a claim written
 * before the POST (insert-if-absent), replaced by the outcome after it (If-Match), or deleted when Graph said it did
 * not act. A store that cannot be reached fails the request closed (503) before anything is sent. Stored: the state,
 * Graph's request-id, the acceptance time or the ambiguous problem — never a token.
 */
final class RecentReprovisions {
  private static final Logger LOG = LoggerFactory.getLogger(RecentReprovisions.class);
  static final Duration REMEMBER = Duration.ofMinutes(2);
  private static final long SWEEP_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
  private static final String KIND = "reprovision";

  private record Local(Future<ReprovisionOutcome> outcome, long forgetAtNanos) {
    boolean forgotten(long now) {
      return now - forgetAtNanos > 0;
    }
  }

  private final SharedStore store;
  private final ConcurrentHashMap<String, Local> entries = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep = new AtomicLong(System.nanoTime() + SWEEP_EVERY_NANOS);

  RecentReprovisions(SharedStore store) {
    this.store = store;
  }

  /** The reprovision in flight or recently answered for the PC on this instance, if any. */
  Future<ReprovisionOutcome> find(String cloudPcId) {
    Local entry = entries.get(cloudPcId);
    return entry == null || entry.forgotten(System.nanoTime()) ? null : entry.outcome;
  }

  /**
   * Runs {@code send} unless this PC was claimed recently, here or on another instance; then the earlier outcome
   * (as a duplicate) or its ambiguous failure is the answer.
   */
  Future<ReprovisionOutcome> once(ReprovisionTarget target, Supplier<Future<ReprovisionOutcome>> send,
                                  Predicate<Throwable> mayHaveActed) {
    String id = target.cloudPcId();
    Promise<ReprovisionOutcome> promise = Promise.promise();
    Future<ReprovisionOutcome> other = claimLocally(id, promise.future());
    if (other != null) {
      return other.map(ReprovisionOutcome::asDuplicate);
    }
    Key key = new Key(KIND, id);
    Future.succeededFuture().compose(v -> store.insertIfAbsent(key, new JsonObject().put("state", "sending"),
            Instant.now().plus(REMEMBER)))
        .compose(insert -> insert.inserted() ? sendAndRecord(key, insert.entry(), send, mayHaveActed)
            : earlier(target, insert.entry().value()))
        .onComplete(ar -> {
          promise.handle(ar);
          if (ar.succeeded() || mayHaveActed.test(ar.cause())) {
            rememberLocally(id, promise.future()); // a retry after an ambiguous failure must not wipe twice
          } else {
            entries.computeIfPresent(id, (k, current) -> current.outcome == promise.future() ? null : current);
          }
        });
    return promise.future();
  }

  /** Sends, then records what happened; the caller gets Graph's answer even if the record cannot be written. */
  private Future<ReprovisionOutcome> sendAndRecord(Key key, Entry claim, Supplier<Future<ReprovisionOutcome>> send,
                                                   Predicate<Throwable> mayHaveActed) {
    Future<ReprovisionOutcome> sent = Future.succeededFuture().compose(v -> send.get());
    return sent.transform(done -> {
      Instant forgetAt = Instant.now().plus(REMEMBER);
      Future<?> record;
      if (done.succeeded()) {
        ReprovisionOutcome outcome = done.result();
        record = store.replace(key, claim.etag(), new JsonObject().put("state", "accepted")
            .put("graphRequestId", outcome.graphRequestId()).put("acceptedAt", outcome.acceptedAt().toString()),
            forgetAt);
      } else if (mayHaveActed.test(done.cause())) {
        record = store.replace(key, claim.etag(), new JsonObject().put("state", "ambiguous")
            .put("problem", problemJson(done.cause())), forgetAt);
      } else {
        record = store.delete(key, claim.etag());
      }
      // Unrecorded, the claim itself stays until it expires: other instances keep refusing, which is the safe side.
      return record.transform(written -> {
        if (written.failed()) {
          LOG.warn("could not record the reprovision outcome of Cloud PC {}: {}", key.id(),
              written.cause().getMessage());
        }
        return sent;
      });
    });
  }

  /** What another request recorded for this PC, as this request's answer. */
  private static Future<ReprovisionOutcome> earlier(ReprovisionTarget target, JsonObject record) {
    return switch (record.getString("state", "")) {
      case "accepted" -> Future.succeededFuture(new ReprovisionOutcome(ReprovisionOutcome.Kind.ALREADY_RUNNING,
          target, record.getString("graphRequestId"), Instant.parse(record.getString("acceptedAt")), null));
      case "ambiguous" -> Future.failedFuture(problem(record.getJsonObject("problem")).exception());
      default -> Future.failedFuture(Problem.of(409, "reprovision-in-flight", "Conflict", "Another request for "
              + "Cloud PC " + target.cloudPcId() + " is being sent to Graph right now; nothing was sent for this "
              + "one. Ask again in a few seconds to get its answer.").withHeader("Retry-After", "5").exception());
    };
  }

  private Future<ReprovisionOutcome> claimLocally(String cloudPcId, Future<ReprovisionOutcome> mine) {
    long now = System.nanoTime();
    sweepIfDue(now);
    Local fresh = new Local(mine, now + Long.MAX_VALUE / 2);
    Local winner = entries.compute(cloudPcId, (id, current) ->
        current == null || current.forgotten(now) ? fresh : current);
    return winner == fresh ? null : winner.outcome;
  }

  /** Keeps the answer for a while (accepted, or ambiguous: Graph may have acted), without the caller's token. */
  private void rememberLocally(String cloudPcId, Future<ReprovisionOutcome> mine) {
    Future<ReprovisionOutcome> slim = mine.succeeded()
        ? Future.succeededFuture(withoutCaller(mine.result())) : mine;
    entries.computeIfPresent(cloudPcId, (id, current) -> current.outcome == mine
        ? new Local(slim, System.nanoTime() + REMEMBER.toNanos()) : current);
  }

  private void sweepIfDue(long now) {
    long due = nextSweep.get();
    if (now - due > 0 && nextSweep.compareAndSet(due, now + SWEEP_EVERY_NANOS)) {
      entries.values().removeIf(entry -> entry.forgotten(now));
    }
  }

  private static JsonObject problemJson(Throwable failure) {
    Problem p = failure instanceof ProblemException e ? e.problem()
        : Problem.of(502, "graph-connection-lost", "Bad gateway", "The reprovision failed in a way that leaves open "
            + "whether Graph acted; check the Cloud PC's status before trying again.");
    return new JsonObject().put("status", p.status()).put("slug", p.slug()).put("title", p.title())
        .put("detail", p.detail()).put("extensions", p.extensions()).put("headers", new JsonObject(
            new HashMap<>(p.headers())));
  }

  private static Problem problem(JsonObject json) {
    Map<String, String> headers = new HashMap<>();
    json.getJsonObject("headers", new JsonObject()).forEach(h -> headers.put(h.getKey(), String.valueOf(h.getValue())));
    return new Problem(json.getInteger("status"), json.getString("slug"), json.getString("title"),
        json.getString("detail"), json.getJsonObject("extensions"), headers);
  }

  private static ReprovisionOutcome withoutCaller(ReprovisionOutcome outcome) {
    ReprovisionTarget target = outcome.target();
    GraphCall call = target.reprovision();
    ReprovisionTarget slim = new ReprovisionTarget(target.route(), target.pc(),
        new GraphCall(call.method(), call.path(), call.body(), Optional.empty()), target.delegated());
    return new ReprovisionOutcome(outcome.kind(), slim, outcome.graphRequestId(), outcome.acceptedAt(),
        outcome.graphRequest());
  }
}
