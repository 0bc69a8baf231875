package dev.cloudpc.reprovision.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something another party does (a background fetch, a request arriving) by polling on Vert.x timers. */
public final class Eventually {
  private static final long PAUSE_MS = 10;
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private Eventually() {
  }

  /** Completes once {@code condition} holds; fails if it does not within ten seconds. */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition) {
    return until(vertx, condition, LIMIT);
  }

  /** Completes once {@code condition} holds; fails if it does not within {@code limit}. */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition, Duration limit) {
    return until(vertx, condition, limit, System.nanoTime() + limit.toNanos());
  }

  private static Future<Void> until(Vertx vertx, BooleanSupplier condition, Duration limit, long deadlineNanos) {
    if (condition.getAsBoolean()) {
      return Future.succeededFuture();
    }
    if (System.nanoTime() > deadlineNanos) {
      return Future.failedFuture(new AssertionError("condition not reached within " + limit.toMillis() + " ms"));
    }
    return vertx.timer(PAUSE_MS).compose(v -> until(vertx, condition, limit, deadlineNanos));
  }
}
