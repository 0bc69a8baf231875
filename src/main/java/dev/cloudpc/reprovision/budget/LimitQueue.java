package dev.cloudpc.reprovision.budget;

import dev.cloudpc.reprovision.graph.GraphLimit;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One limit's turns on this instance: requests wait in arrival order; each is sent in a second this instance leased
 * through the {@link Ledger} (a second's share as {@link Pacing} allows), never during a pause Graph asked for, and
 * never after its deadline — a request whose turn cannot come in time is refused at once with 429 and the
 * Retry-After of its turn. State changes happen under this object's lock (in-memory work only, microseconds); the
 * store is asked without holding it, and a granted request resumes on its own event loop.
 */
final class LimitQueue {
  private static final Logger LOG = LoggerFactory.getLogger(LimitQueue.class);
  /** A turn must leave this much of the request's deadline for the Graph call and what follows it. */
  static final long RESERVE_MS = 1_000;
  /** Seconds this instance leases ahead of now while requests wait: enough to keep sending, not to hoard. */
  private static final int LEASE_AHEAD = 3;

  private final Vertx vertx;
  private final GraphLimit limit;
  private final Pacing pacing;
  private final Ledger ledger;
  private final AtomicLong sequence = new AtomicLong();
  private final PriorityQueue<Waiter> waiting = new PriorityQueue<>(
      Comparator.comparingLong(Waiter::arrival).thenComparingLong(Waiter::sequence));
  /** Leased seconds (epoch second → requests it may still carry). */
  private final TreeMap<Long, Integer> leases = new TreeMap<>();
  private final Deque<Long> sentAtMillis = new ArrayDeque<>();
  private long nextCandidate;
  private boolean claiming;
  private long pausedUntilMillis;
  private long timerId = -1;
  private long timerAtMillis;
  private long storeWarnedAtMillis;

  private record Waiter(long arrival, long sequence, Promise<Void> granted, Context context, long deadlineTimer) {
  }

  LimitQueue(Vertx vertx, GraphLimit limit, int perMinute, Ledger ledger) {
    this.vertx = vertx;
    this.limit = limit;
    this.pacing = new Pacing(perMinute);
    this.ledger = ledger;
  }

  Future<Void> turn(long arrival, RequestScope scope) {
    long now = System.currentTimeMillis();
    long deadlineAt = now + scope.deadline().remainingMillis();
    synchronized (this) {
      forgetPast(now);
      if (waiting.isEmpty() && now >= pausedUntilMillis && takeSlot(now)) {
        return Future.succeededFuture();
      }
      long turnAt = estimate(ahead(arrival) + 1, now);
      if (turnAt > deadlineAt - RESERVE_MS) {
        return Future.failedFuture(spent(turnAt, now, scope));
      }
      Promise<Void> granted = Promise.promise();
      long seq = sequence.incrementAndGet();
      long timer = vertx.setTimer(Math.max(1, deadlineAt - RESERVE_MS - now), id -> tooLate(seq, scope));
      waiting.add(new Waiter(arrival, seq, granted, vertx.getOrCreateContext(), timer));
      pump(now);
      return granted.future();
    }
  }

  /** Graph said 429: no request of this limit leaves before {@code untilMillis}, on any instance. */
  void pause(long untilMillis) {
    long now = System.currentTimeMillis();
    synchronized (this) {
      if (untilMillis <= pausedUntilMillis) {
        return;
      }
      pausedUntilMillis = untilMillis;
      pump(now);
    }
    ledger.pause(limit, now, untilMillis).onFailure(failure -> LOG.warn("could not share the {} pause until {}: {}",
        limit.documentedName(), Instant.ofEpochMilli(untilMillis), failure.getMessage()));
  }

  /** Nobody waits and this instance used under a quarter of the limit in the last minute: a read costs little now. */
  synchronized boolean idle() {
    forgetPast(System.currentTimeMillis());
    return waiting.isEmpty() && sentAtMillis.size() < pacing.perMinute() / 4;
  }

  synchronized JsonObject snapshot() {
    long now = System.currentTimeMillis();
    forgetPast(now);
    return new JsonObject()
        .put("documentedName", limit.documentedName())
        .put("limitPerMinute", pacing.perMinute())
        .put("pacedPerMinute", pacing.pacedPerMinute())
        .put("usedLastMinute", sentAtMillis.size())
        .put("waiting", waiting.size())
        .put("pausedUntil", pausedUntilMillis > now ? Instant.ofEpochMilli(pausedUntilMillis).toString() : null);
  }

  // ---- under the lock ----

  private void pump(long now) {
    forgetPast(now);
    if (now < pausedUntilMillis) {
      wakeAt(pausedUntilMillis);
      return;
    }
    while (!waiting.isEmpty() && takeSlot(now)) {
      grant(waiting.poll());
    }
    if (waiting.isEmpty()) {
      return;
    }
    Long future = leases.higherKey(Pacing.bucketOf(now));
    if (future != null) {
      wakeAt(Pacing.startOf(future));
    }
    claimMore(now);
  }

  /** Leases the next free second (with room in it) unless enough are leased ahead or a claim is under way. */
  private void claimMore(long now) {
    long current = Pacing.bucketOf(now);
    int owned = leases.values().stream().mapToInt(Integer::intValue).sum();
    if (claiming || owned >= waiting.size()) {
      return;
    }
    long candidate = Math.max(Math.max(nextCandidate, current), Pacing.bucketOf(pausedUntilMillis));
    while (pacing.capacity(candidate) == 0) {
      candidate++;
    }
    if (candidate > current + LEASE_AHEAD) {
      wakeAt(Pacing.startOf(candidate - LEASE_AHEAD));
      return;
    }
    long bucket = candidate;
    nextCandidate = bucket + 1;
    claiming = true;
    ledger.claim(limit, bucket, now).onComplete(claim -> claimed(bucket, claim.succeeded() ? claim.result() : null,
        claim.cause()));
  }

  private void claimed(long bucket, Ledger.Claim claim, Throwable failure) {
    long now = System.currentTimeMillis();
    synchronized (this) {
      claiming = false;
      boolean won;
      if (claim == null) {
        // The store cannot say whose second it is. Reprovisions are refused by then anyway (their claims need the
        // store), so what still runs is reads — status and polls — and refusing those would fail flows for nothing
        // Graph guards itself: this instance paces alone until the store answers, and Graph's 429s pause it.
        if (now - storeWarnedAtMillis > 60_000) {
          storeWarnedAtMillis = now;
          LOG.warn("{}: the shared budget could not be read ({}); pacing this instance alone until it answers",
              limit.documentedName(), failure == null ? "no answer" : failure.getMessage());
        }
        won = true;
      } else {
        pausedUntilMillis = Math.max(pausedUntilMillis, claim.pausedUntilMillis());
        won = claim.won();
      }
      if (won && Pacing.startOf(bucket + 1) > pausedUntilMillis && bucket >= Pacing.bucketOf(now)) {
        leases.put(bucket, pacing.capacity(bucket));
      }
      pump(now);
    }
  }

  private void tooLate(long seq, RequestScope scope) {
    long now = System.currentTimeMillis();
    Waiter late;
    long turnAt;
    synchronized (this) {
      late = waiting.stream().filter(w -> w.sequence() == seq).findFirst().orElse(null);
      if (late == null) {
        return;
      }
      waiting.remove(late);
      turnAt = estimate(ahead(late.arrival()) + 1, now);
    }
    late.context().runOnContext(v -> late.granted().tryFail(spent(turnAt, now, scope)));
  }

  private void grant(Waiter waiter) {
    vertx.cancelTimer(waiter.deadlineTimer());
    waiter.context().runOnContext(v -> waiter.granted().tryComplete());
  }

  private boolean takeSlot(long now) {
    long bucket = Pacing.bucketOf(now);
    Integer left = leases.get(bucket);
    if (left == null || left == 0) {
      return false;
    }
    leases.put(bucket, left - 1);
    sentAtMillis.addLast(now);
    return true;
  }

  private void forgetPast(long now) {
    leases.headMap(Pacing.bucketOf(now)).clear();
    while (!sentAtMillis.isEmpty() && sentAtMillis.peekFirst() <= now - 60_000) {
      sentAtMillis.pollFirst();
    }
  }

  private int ahead(long arrival) {
    return (int) waiting.stream().filter(w -> w.arrival() <= arrival).count();
  }

  /** When the {@code position}-th waiter would be sent: what is leased now, then the paced rate after any pause. */
  private long estimate(int position, long now) {
    long from = Math.max(now, pausedUntilMillis);
    int leasedNow = now >= pausedUntilMillis ? leases.getOrDefault(Pacing.bucketOf(now), 0) : 0;
    int later = Math.max(0, position - leasedNow);
    return later == 0 ? from : from + (long) Math.ceil(later / pacing.perSecond() * 1000);
  }

  private void wakeAt(long atMillis) {
    if (timerId >= 0 && timerAtMillis <= atMillis) {
      return;
    }
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    timerAtMillis = atMillis;
    timerId = vertx.setTimer(Math.max(1, atMillis - System.currentTimeMillis()), id -> {
      long now = System.currentTimeMillis();
      synchronized (this) {
        if (timerId == id) {
          timerId = -1;
        }
        pump(now);
      }
    });
  }

  private ProblemException spent(long turnAt, long now, RequestScope scope) {
    long seconds = Math.max(1, (turnAt - now + 999) / 1000);
    return Problem.of(429, "graph-budget-spent", "Too many requests", "Microsoft Graph's Windows 365 budget for "
            + "this app (" + limit.documentedName() + ": " + pacing.perMinute() + " requests per minute, shared by "
            + "every instance) is spent for now: this request's turn would come in about " + seconds + " s, after "
            + "its deadline. Nothing was sent to Graph. Retry after " + seconds + " s (Retry-After).")
        .with("graphLimit", limit.key()).with("retryAfterSeconds", seconds)
        .withHeader("Retry-After", Long.toString(seconds)).exception();
  }
}
