package dev.cloudpc.reprovision.graph;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One token, reused until shortly before it expires and fetched once for any number of concurrent waiters (single
 * flight). A failed fetch is remembered briefly so that an identity-provider outage is not hammered by every request.
 * A token Graph refused is dropped — only while it is still the cached one, so that a wave of refusals of one token
 * causes one fetch — and the refusal is remembered until Graph accepts a token fetched after it.
 */
public final class TokenCache {
  static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
  private static final long FAILURE_MEMORY_NANOS = Duration.ofSeconds(1).toNanos();

  private final Supplier<Future<AccessToken>> fetcher;
  private final AtomicReference<Entry> current = new AtomicReference<>();
  private final AtomicReference<Refusal> refusal = new AtomicReference<>();
  /** When {@link #renewAtMostEvery} last dropped a token; empty before the first time. */
  private final AtomicReference<Optional<Long>> lastRenewalNanos = new AtomicReference<>(Optional.empty());

  /** Graph's answer to a token it refused (401): its error code and request-id, for health and logs. */
  public record Refusal(AccessToken token, String graphCode, String graphRequestId) {
  }

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

  /**
   * Graph refused this token: the next {@link #get()} fetches a new one unless the cache already moved on. Compares
   * by identity, so late refusals of a token already replaced never drop its successor.
   *
   * @return true when this call dropped the token (at most once per refused token)
   */
  public boolean refused(Refusal refused) {
    Entry entry = current.get();
    if (!holds(entry, refused.token())) {
      return false;
    }
    refusal.set(refused); // before the drop: no token fetched after it can have been accepted yet
    return current.compareAndSet(entry, null);
  }

  /** Graph accepted this token: a remembered refusal ends once a token cached after it works. */
  public void accepted(AccessToken token) {
    Refusal last = refusal.get();
    if (last != null && last.token() != token && holds(current.get(), token)) {
      refusal.compareAndSet(last, null);
    }
  }

  /** The refusal no token fetched since has overcome, if any. */
  public Optional<Refusal> unresolvedRefusal() {
    return Optional.ofNullable(refusal.get());
  }

  /**
   * Drops this token if it is still cached and no token was dropped this way within {@code window}: a refusal that a
   * new token may cure (new admin consent) without fetching one per refused request.
   */
  public boolean renewAtMostEvery(Duration window, AccessToken used) {
    Optional<Long> last = lastRenewalNanos.get();
    long now = System.nanoTime();
    if (last.isPresent() && now - last.get() < window.toNanos()) {
      return false;
    }
    return holds(current.get(), used) && lastRenewalNanos.compareAndSet(last, Optional.of(now)) && drop(used);
  }

  /** True when the last fetch succeeded (or none failed yet); for the health check. */
  public boolean healthy() {
    Entry entry = current.get();
    return entry == null || !entry.token.failed();
  }

  private boolean drop(AccessToken token) {
    Entry entry = current.get();
    return holds(entry, token) && current.compareAndSet(entry, null);
  }

  private static boolean holds(Entry entry, AccessToken token) {
    return entry != null && entry.token.succeeded() && entry.token.result() == token;
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
