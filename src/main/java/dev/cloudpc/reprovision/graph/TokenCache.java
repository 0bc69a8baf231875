package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One token for any number of concurrent users, renewed as azure-core's {@code AccessTokenCache} renews: the cached
 * token is served while it is valid; from {@link #REFRESH_AHEAD} before its expiry a renewal starts in the background
 * — one at a time, and while renewals fail at most one per {@link #REFRESH_RETRY} — and callers keep getting the
 * cached token meanwhile, so an identity-endpoint blip costs nothing while the token still works. Only when no valid
 * token is held does a caller wait for a fetch (one for all waiters); a failed fetch is then remembered for
 * {@link #FAILURE_MEMORY} so that an outage is not hammered, and callers get its problem (503 with Retry-After for an
 * outage). A token Graph refused is dropped — only while it is still the cached one, so that a wave of refusals of one
 * token causes one fetch — and the refusal is remembered until Graph accepts a token fetched after it. Tokens fetched
 * because Graph refused the last one are at most one per {@link RefetchFloor#interval()}: a refusal inside it leaves
 * the cache without a token, and callers get the floor's answer instead of a fetch until it has passed.
 */
public final class TokenCache {
  private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);
  /** azure-core's refresh offset: renewal starts this long before expiry. */
  static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);
  /** azure-core's refresh delay: the least time between two renewal attempts while the cached token is valid. */
  static final Duration REFRESH_RETRY = Duration.ofSeconds(30);
  /** A token with less left than this is not handed out: it could expire on its way to Graph (clocks differ, too). */
  static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);
  /** How long a failed fetch answers for itself when no valid token is held. */
  static final Duration FAILURE_MEMORY = Duration.ofSeconds(1);

  private final Supplier<Future<AccessToken>> fetcher;
  private final Clock clock;
  private final RefetchFloor floor;
  /** The token to hand out, with its completed Future (one allocation per token, not per request); or null. */
  private volatile Held held;
  private final AtomicReference<Refusal> refusal = new AtomicReference<>();
  // Guarded by this: the fetch under way, when the last one started, the last failure, the last consent renewal, when a
  // token was last dropped after a refusal, and until when no token may be fetched because of refusals.
  private Future<AccessToken> fetching;
  private Instant lastAttempt;
  private Failure failure;
  private Instant lastRenewal;
  private Instant lastRefusalDrop;
  private Instant refusedUntil;

  /** Graph's answer to a token it refused (401): its error code and request-id, for health and logs. */
  public record Refusal(AccessToken token, String graphCode, String graphRequestId) {
  }

  /**
   * At most one token fetched because of a refusal per {@code interval}; meanwhile callers get {@code meanwhile}'s
   * problem, given the refusal and the time until the next fetch.
   */
  public record RefetchFloor(Duration interval, BiFunction<Refusal, Duration, Problem> meanwhile) {
    /** No floor: every refusal of the cached token lets the next caller fetch (tokens Graph never refuses). */
    static final RefetchFloor NONE = new RefetchFloor(Duration.ZERO, (refusal, wait) -> {
      throw new IllegalStateException("no refetch floor");
    });
  }

  private record Held(AccessToken token, Future<AccessToken> future) {
  }

  private record Failure(Future<AccessToken> answer, Instant at) {
  }

  public TokenCache(Supplier<Future<AccessToken>> fetcher) {
    this(fetcher, Clock.systemUTC());
  }

  /** @param clock what "now" is, for the expiry and the renewal intervals (tests move it instead of waiting) */
  public TokenCache(Supplier<Future<AccessToken>> fetcher, Clock clock) {
    this(fetcher, clock, RefetchFloor.NONE);
  }

  public TokenCache(Supplier<Future<AccessToken>> fetcher, Clock clock, RefetchFloor floor) {
    this.fetcher = fetcher;
    this.clock = clock;
    this.floor = floor;
  }

  public Future<AccessToken> get() {
    Instant now = clock.instant();
    Held current = held;
    if (current != null && usable(current.token, now)) {
      if (!current.token.validAt(now.plus(REFRESH_AHEAD))) {
        renewInBackground(now);
      }
      return current.future;
    }
    return fetchOrJoin(now);
  }

  private synchronized Future<AccessToken> fetchOrJoin(Instant now) {
    Held current = held;
    if (current != null && usable(current.token, now)) {
      return current.future;
    }
    if (fetching != null) {
      return fetching;
    }
    if (refusedUntil != null) {
      if (now.isBefore(refusedUntil)) {
        return Future.failedFuture(floor.meanwhile().apply(refusal.get(), Duration.between(now, refusedUntil))
            .exception());
      }
      refusedUntil = null;
      lastRefusalDrop = now; // this fetch is the one the floor allows
    }
    if (failure != null && now.isBefore(failure.at.plus(FAILURE_MEMORY))) {
      return failure.answer;
    }
    return fetch(now);
  }

  private synchronized void renewInBackground(Instant now) {
    if (fetching != null || (lastAttempt != null && now.isBefore(lastAttempt.plus(REFRESH_RETRY)))) {
      return;
    }
    Instant expiresAt = held == null ? null : held.token.expiresAt();
    fetch(now).onFailure(cause -> LOG.warn("renewing a token before its expiry at {} failed ({}); the cached token "
        + "stays in use, next attempt in {} s", expiresAt, cause.getMessage(), REFRESH_RETRY.toSeconds()));
  }

  /** Starts the one fetch; callers hold the lock. */
  private Future<AccessToken> fetch(Instant now) {
    lastAttempt = now;
    Promise<AccessToken> promise = Promise.promise();
    fetching = promise.future();
    Future<AccessToken> fetched;
    try {
      fetched = fetcher.get();
    } catch (RuntimeException e) {
      fetched = Future.failedFuture(e);
    }
    fetched.onComplete(result -> fetched(promise, result));
    return promise.future();
  }

  private void fetched(Promise<AccessToken> promise, AsyncResult<AccessToken> result) {
    synchronized (this) {
      if (fetching == promise.future()) {
        fetching = null;
      }
      if (result.succeeded()) {
        held = new Held(result.result(), Future.succeededFuture(result.result()));
        failure = null;
      } else {
        failure = new Failure(Future.failedFuture(result.cause()), clock.instant());
      }
    }
    promise.handle(result); // outside the lock: waiters continue their requests from here
  }

  /**
   * Graph refused this token: the next {@link #get()} fetches a new one unless the cache already moved on — or, when a
   * token was already dropped for a refusal within the floor's interval, not before the interval has passed. Compares
   * by identity, so late refusals of a token already replaced never drop its successor.
   *
   * @return true when this call dropped the token (at most once per refused token)
   */
  public synchronized boolean refused(Refusal refused) {
    if (!holds(refused.token())) {
      return false;
    }
    refusal.set(refused); // before the drop: no token fetched after it can have been accepted yet
    held = null;
    Instant now = clock.instant();
    if (lastRefusalDrop != null && now.isBefore(lastRefusalDrop.plus(floor.interval()))) {
      refusedUntil = lastRefusalDrop.plus(floor.interval());
    } else {
      lastRefusalDrop = now;
    }
    return true;
  }

  /** Graph accepted this token: a remembered refusal ends once a token cached after it works. */
  public void accepted(AccessToken token) {
    Refusal last = refusal.get();
    if (last != null && last.token() != token && holds(token)) {
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
  public synchronized boolean renewAtMostEvery(Duration window, AccessToken used) {
    Instant now = clock.instant();
    if ((lastRenewal != null && now.isBefore(lastRenewal.plus(window))) || !holds(used)) {
      return false;
    }
    lastRenewal = now;
    held = null;
    return true;
  }

  private boolean holds(AccessToken token) {
    Held current = held;
    return current != null && current.token == token;
  }

  private static boolean usable(AccessToken token, Instant now) {
    return token.validAt(now.plus(EXPIRY_MARGIN));
  }
}
