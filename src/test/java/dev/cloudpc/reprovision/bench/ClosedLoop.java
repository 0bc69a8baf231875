package dev.cloudpc.reprovision.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Closed-loop load on one event loop: {@code concurrency} requests in flight, each answer followed at once by the next
 * request, first a warm-up, then a measured window; each part ends at a request count or a time limit, whichever comes
 * first, so a run always ends. Request i is of kind {@code i % kinds}, which interleaves the product and the baseline
 * in the sequential comparison so both see the same machine noise.
 */
final class ClosedLoop {
  private static final long DRAIN_LIMIT_MS = 40_000;
  private static final long TICK_MS = 50;

  /** Counts are requests of all kinds together. */
  record Phase(String name, int concurrency, int warmupRequests, Duration warmupLimit, int measuredRequests,
               Duration measuredLimit) {
  }

  /** One kind of request with the latencies of its answers inside the window. */
  static final class Kind {
    final String name;
    final Supplier<Future<Boolean>> call;
    final Latencies latencies = new Latencies();
    long failed;

    Kind(String name, Supplier<Future<Boolean>> call) {
      this.name = name;
      this.call = call;
    }

    JsonObject toJson() {
      return latencies.toJson().put("kind", name).put("failed", failed);
    }
  }

  /**
   * Called at the window's edges, on the loop's context: the window opens when {@code opening()} completes, and the
   * run ends only after {@code closed()} has completed too.
   */
  interface Edges {
    Future<Void> opening();

    Future<Void> closed();
  }

  /** The measured window: answers counted in it, by kind. */
  record Window(Phase phase, List<Kind> kinds, double seconds, long answered, long failed, boolean countReached) {
    double throughput() {
      return answered / seconds;
    }

    JsonObject toJson() {
      JsonArray byKind = new JsonArray();
      kinds.forEach(k -> byKind.add(k.toJson()));
      return new JsonObject().put("phase", phase.name()).put("concurrency", phase.concurrency())
          .put("seconds", Report.round(seconds)).put("answered", answered).put("failed", failed)
          .put("throughputPerSecond", Report.round(throughput())).put("reachedRequestCount", countReached)
          .put("kinds", byKind);
    }
  }

  private enum State { WARMUP, OPENING, MEASURING, ENDED }

  private final Context context;
  private final Phase phase;
  private final List<Kind> kinds;
  private final Edges edges;
  private final Promise<Window> result = Promise.promise();
  private State state = State.WARMUP;
  private long started;
  private long inFlight;
  private long warmupAnswered;
  private long answered;
  private long failed;
  private long parked;
  private long deadline;
  private long windowStart;
  private Window window;
  private long ticker;
  private long drainDeadline;
  private boolean closedHookDone;

  private ClosedLoop(Context context, Phase phase, List<Kind> kinds, Edges edges) {
    this.context = context;
    this.phase = phase;
    this.kinds = kinds;
    this.edges = edges;
  }

  /** Runs the phase on {@code context} (an event-loop context) and completes once every request has answered. */
  static Future<Window> run(Context context, Phase phase, List<Kind> kinds, Edges edges) {
    ClosedLoop loop = new ClosedLoop(context, phase, kinds, edges);
    context.runOnContext(v -> loop.begin());
    return loop.result.future();
  }

  private void begin() {
    deadline = System.nanoTime() + phase.warmupLimit().toNanos();
    ticker = context.owner().setPeriodic(TICK_MS, id -> checkLimits());
    for (int i = 0; i < phase.concurrency(); i++) {
      issue();
    }
  }

  private void issue() {
    if (state == State.ENDED) {
      return;
    }
    if (state == State.OPENING) {
      parked++;
      return;
    }
    Kind kind = kinds.get((int) (started++ % kinds.size()));
    inFlight++;
    long t0 = System.nanoTime();
    Future<Boolean> answer;
    try {
      answer = kind.call.get();
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    // Always continue on a fresh task: an answer that is already there must not recurse into the next request.
    answer.onComplete(ar -> context.runOnContext(v -> answered(kind, t0, ar.succeeded() && ar.result())));
  }

  private void answered(Kind kind, long t0, boolean ok) {
    long nanos = System.nanoTime() - t0;
    inFlight--;
    if (state == State.MEASURING) {
      answered++;
      kind.latencies.add(nanos);
      if (!ok) {
        failed++;
        kind.failed++;
      }
      if (answered >= phase.measuredRequests()) {
        close(true);
      }
    } else if (state == State.WARMUP && ++warmupAnswered >= phase.warmupRequests()) {
      open();
    }
    if (state == State.ENDED) {
      finishIfDrained();
    } else {
      issue();
    }
  }

  private void checkLimits() {
    long now = System.nanoTime();
    if (state == State.WARMUP && now > deadline) {
      open();
    } else if (state == State.MEASURING && now > deadline) {
      close(false);
    } else if (state == State.ENDED && closedHookDone && now > drainDeadline) {
      finish(); // a request that never answers must not hold the run: it is simply not counted
    }
  }

  /** Requests answered while the edge hook runs are neither warm-up nor measured; their slots wait for the window. */
  private void open() {
    state = State.OPENING;
    edges.opening().onComplete(ar -> {
      state = State.MEASURING;
      windowStart = System.nanoTime();
      deadline = windowStart + phase.measuredLimit().toNanos();
      for (long i = parked; i > 0; i--) {
        issue();
      }
      parked = 0;
    });
  }

  private void close(boolean countReached) {
    state = State.ENDED;
    window = new Window(phase, kinds, (System.nanoTime() - windowStart) / 1e9, answered, failed, countReached);
    drainDeadline = System.nanoTime() + DRAIN_LIMIT_MS * 1_000_000;
    edges.closed().onComplete(ar -> {
      closedHookDone = true;
      finishIfDrained();
    });
  }

  private void finishIfDrained() {
    if (inFlight == 0 && closedHookDone) {
      finish();
    }
  }

  private void finish() {
    context.owner().cancelTimer(ticker);
    result.tryComplete(window);
  }
}
