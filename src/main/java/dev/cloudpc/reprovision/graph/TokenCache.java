package dev.cloudpc.reprovision.graph;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One token, reused until shortly before it expires and fetched once for any number of concurrent waiters (single
 * flight). A failed fetch is remembered briefly so that an identity-provider outage is not hammered by every request.
 */
public final class TokenCache {
  static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
  private static final long FAILURE_MEMORY_NANOS = Duration.ofSeconds(1).toNanos();

  private final Supplier<Future<AccessToken>> fetcher;
  private final AtomicReference<Entry> current = new AtomicReference<>();

  public TokenCache(Supplier<Future<AccessToken>> fetcher) {
    this.fetcher = fetcher;
  }

  public Future<AccessToken> get() {
    while (true) {
      Entry entry = current.get();
      if (entry != null && entry.usable()) {
        return entry.token;
      }
      Promise<AccessToken> promise = Promise.promise();
      if (current.compareAndSet(entry, new Entry(promise.future(), System.nanoTime()))) {
        fetcher.get().onComplete(promise);
        return promise.future();
      }
    }
  }

  /** True when the last fetch succeeded (or none failed yet); for the health check. */
  public boolean healthy() {
    Entry entry = current.get();
    return entry == null || !entry.token.failed();
  }

  private record Entry(Future<AccessToken> token, long createdNanos) {
    boolean usable() {
      if (!token.isComplete()) {
        return true;
      }
      if (token.failed()) {
        return System.nanoTime() - createdNanos < FAILURE_MEMORY_NANOS;
      }
      return token.result().validFor(REFRESH_MARGIN);
    }
  }
}
