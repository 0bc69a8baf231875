package dev.cloudpc.reprovision.reprovision;

import dev.cloudpc.reprovision.graph.GraphCall;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per Cloud PC: the reprovision in flight on this instance, and for two minutes after it the answer it got, so that
 * repeats join it instead of posting again. Expired entries are swept now and then by whoever claims a PC — no timer
 * per entry — and remembered answers drop the caller's token, which nothing needs any more.
 */
final class RecentReprovisions {
  private static final long REMEMBER_NANOS = Duration.ofMinutes(2).toNanos();
  private static final long SWEEP_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

  private record Entry(Future<ReprovisionOutcome> outcome, long forgetAtNanos) {
    boolean forgotten(long now) {
      return now - forgetAtNanos > 0;
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep = new AtomicLong(System.nanoTime() + SWEEP_EVERY_NANOS);

  /** The reprovision in flight or recently answered for the PC, if any. */
  Future<ReprovisionOutcome> find(String cloudPcId) {
    Entry entry = entries.get(cloudPcId);
    return entry == null || entry.forgotten(System.nanoTime()) ? null : entry.outcome;
  }

  /** Claims the PC for {@code mine}: null when this caller should send, else the outcome to join. */
  Future<ReprovisionOutcome> claim(String cloudPcId, Future<ReprovisionOutcome> mine) {
    long now = System.nanoTime();
    sweepIfDue(now);
    Entry fresh = new Entry(mine, now + Long.MAX_VALUE / 2);
    Entry winner = entries.compute(cloudPcId, (id, current) ->
        current == null || current.forgotten(now) ? fresh : current);
    return winner == fresh ? null : winner.outcome;
  }

  /** Keeps the answer to {@code mine} for a while (accepted, or ambiguous: Graph may have acted). */
  void remember(String cloudPcId, Future<ReprovisionOutcome> mine) {
    Future<ReprovisionOutcome> slim = mine.succeeded()
        ? Future.succeededFuture(withoutCaller(mine.result())) : mine;
    entries.computeIfPresent(cloudPcId, (id, current) -> current.outcome == mine
        ? new Entry(slim, System.nanoTime() + REMEMBER_NANOS) : current);
  }

  /** Graph said it did not act: the next request may try again at once. */
  void forget(String cloudPcId, Future<ReprovisionOutcome> mine) {
    entries.computeIfPresent(cloudPcId, (id, current) -> current.outcome == mine ? null : current);
  }

  private void sweepIfDue(long now) {
    long due = nextSweep.get();
    if (now - due > 0 && nextSweep.compareAndSet(due, now + SWEEP_EVERY_NANOS)) {
      entries.values().removeIf(entry -> entry.forgotten(now));
    }
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
