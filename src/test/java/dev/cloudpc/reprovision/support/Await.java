package dev.cloudpc.reprovision.support;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way tests and benchmarks wait for a Future: on their own thread (never an event loop — Vert.x refuses that),
 * through Vert.x's public {@link Future#await(long, TimeUnit)}, with a limit so that nothing hangs.
 */
public final class Await {
  private static final Duration DEFAULT_LIMIT = Duration.ofSeconds(60);

  private Await() {
  }

  public static <T> T await(Future<T> future) {
    return await(future, DEFAULT_LIMIT);
  }

  public static <T> T await(Future<T> future, Duration limit) {
    try {
      return future.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + limit.toSeconds() + " s", e);
    }
  }
}
