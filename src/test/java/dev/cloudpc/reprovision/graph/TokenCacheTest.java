package dev.cloudpc.reprovision.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.support.TestClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The cache on its own, time driven by a {@link TestClock}: renewal ahead of expiry in the background (single flight,
 * at most every 30 s while it fails) with the cached token served while valid, a 503 only once no valid token is
 * left; and the refusal rules: identity comparison, the outstanding refusal, the refetch floor, the renewal window.
 */
class TokenCacheTest {
  private static final Duration LIFETIME = Duration.ofHours(1);
  private final TestClock clock = TestClock.atRealTime();
  /** The fetches the clocked cache started, each answered by the test. */
  private final List<Promise<AccessToken>> fetchesStarted = new ArrayList<>();
  private final TokenCache clocked = new TokenCache(() -> {
    Promise<AccessToken> fetch = Promise.promise();
    fetchesStarted.add(fetch);
    return fetch.future();
  }, clock);

  private final AtomicInteger fetches = new AtomicInteger();
  private final TokenCache cache = new TokenCache(() -> Future.succeededFuture(
      new AccessToken("token-" + fetches.incrementAndGet(), Instant.now().plus(Duration.ofHours(1)))));

  private AccessToken current() {
    return cache.get().result();
  }

  private static TokenCache.Refusal refusalOf(AccessToken token) {
    return new TokenCache.Refusal(token, "InvalidAuthenticationToken", "request-1");
  }

  private AccessToken issue(String name) {
    return new AccessToken(name, clock.instant().plus(LIFETIME));
  }

  private static ProblemException outage() {
    return Problem.unavailable("identity-provider-unavailable", "the identity endpoint answered 503", 5).exception();
  }

  @Test
  void waitersWithoutATokenShareOneFetch() {
    Future<AccessToken> first = clocked.get();
    Future<AccessToken> second = clocked.get();
    assertThat(fetchesStarted).hasSize(1);
    AccessToken token = issue("token-1");
    fetchesStarted.get(0).complete(token);
    assertThat(first.result()).isSameAs(token);
    assertThat(second.result()).isSameAs(token);
    assertThat(clocked.get().result()).isSameAs(token);
    assertThat(fetchesStarted).hasSize(1);
  }

  @Test
  void insideTheRenewalWindowTheValidTokenIsServedWhileOneRenewalRunsInTheBackground() {
    Future<AccessToken> initial = clocked.get();
    AccessToken first = issue("token-1");
    fetchesStarted.get(0).complete(first);
    assertThat(initial.result()).isSameAs(first);

    clock.moveTo(first.expiresAt().minus(TokenCache.REFRESH_AHEAD).plusSeconds(1));
    assertThat(clocked.get().result()).as("served at once, not after the renewal").isSameAs(first);
    assertThat(clocked.get().result()).isSameAs(first);
    assertThat(fetchesStarted).as("one renewal however many callers").hasSize(2);

    AccessToken second = issue("token-2");
    fetchesStarted.get(1).complete(second);
    assertThat(clocked.get().result()).isSameAs(second);
    assertThat(fetchesStarted).hasSize(2);
  }

  @Test
  void whileRenewalsFailTheValidTokenIsServedAndRenewalIsTriedAtMostEvery30sThen503OnceItExpires() {
    clocked.get();
    AccessToken token = issue("token-1");
    fetchesStarted.get(0).complete(token);

    clock.moveTo(token.expiresAt().minus(Duration.ofMinutes(4)));
    assertThat(clocked.get().result()).isSameAs(token);
    fetchesStarted.get(1).fail(outage());
    clock.advance(TokenCache.REFRESH_RETRY.minusSeconds(1));
    assertThat(clocked.get().result()).as("the failed renewal does not fail requests").isSameAs(token);
    assertThat(fetchesStarted).as("no second attempt within 30 s").hasSize(2);

    clock.advance(Duration.ofSeconds(1));
    assertThat(clocked.get().result()).isSameAs(token);
    assertThat(fetchesStarted).hasSize(3);
    fetchesStarted.get(2).fail(outage());

    clock.moveTo(token.expiresAt().minus(TokenCache.EXPIRY_MARGIN).plusSeconds(1));
    Future<AccessToken> noValidToken = clocked.get();
    assertThat(fetchesStarted).as("no valid token: the caller waits for a fetch").hasSize(4);
    fetchesStarted.get(3).fail(outage());
    Problem problem = ((ProblemException) noValidToken.cause()).problem();
    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.headers()).containsEntry("Retry-After", "5");
    assertThat(clocked.get().failed()).as("the failure answers for itself briefly").isTrue();
    assertThat(fetchesStarted).hasSize(4);

    clock.advance(TokenCache.FAILURE_MEMORY);
    Future<AccessToken> recovered = clocked.get();
    AccessToken renewed = issue("token-2");
    fetchesStarted.get(4).complete(renewed);
    assertThat(recovered.result()).isSameAs(renewed);
  }

  /** Graph refuses every token: one new token per floor interval, and meanwhile the floor's answer, not a fetch. */
  @Test
  void afterARefusalAtMostOneTokenIsFetchedPerIntervalAndCallersGetTheRefusalMeanwhile() {
    Duration interval = Duration.ofSeconds(30);
    AtomicInteger fetched = new AtomicInteger();
    TokenCache floored = new TokenCache(() -> Future.succeededFuture(new AccessToken("token-"
        + fetched.incrementAndGet(), clock.instant().plus(LIFETIME))), clock, new TokenCache.RefetchFloor(interval,
        (refusal, wait) -> Problem.of(502, "graph-token-refused", "Function misconfigured",
            "refused " + refusal.graphRequestId() + ", next in " + wait.toSeconds() + " s")));

    AccessToken first = floored.get().result();
    assertThat(floored.refused(refusalOf(first))).isTrue();
    AccessToken second = floored.get().result();
    assertThat(second).as("the first refusal: a new token at once").isNotSameAs(first);

    clock.advance(Duration.ofSeconds(10));
    assertThat(floored.refused(refusalOf(second))).isTrue();
    Future<AccessToken> meanwhile = floored.get();
    assertThat(((ProblemException) meanwhile.cause()).problem().detail()).isEqualTo("refused request-1, next in 20 s");
    clock.advance(Duration.ofSeconds(19));
    assertThat(floored.get().failed()).isTrue();
    assertThat(fetched).as("no fetch inside the interval").hasValue(2);

    clock.advance(Duration.ofSeconds(1));
    AccessToken third = floored.get().result();
    assertThat(fetched).hasValue(3);
    assertThat(floored.refused(refusalOf(third))).isTrue();
    assertThat(floored.get().failed()).as("the fetch after the interval counts as the interval's one").isTrue();
    clock.advance(interval);
    assertThat(floored.get().result().value()).isEqualTo("token-4");
    assertThat(floored.unresolvedRefusal()).isPresent();
  }

  @Test
  void aRefusedTokenIsDroppedOnceAndALateRefusalNeverDropsItsSuccessor() {
    AccessToken first = current();
    assertThat(cache.refused(refusalOf(first))).isTrue();
    assertThat(cache.refused(refusalOf(first))).as("the second refusal of one token").isFalse();
    AccessToken second = current();
    assertThat(second).isNotSameAs(first);
    assertThat(cache.refused(refusalOf(first))).as("a late refusal of the replaced token").isFalse();
    assertThat(current()).isSameAs(second);
    assertThat(fetches).hasValue(2);
  }

  @Test
  void equalTextIsNotTheSameToken() {
    AccessToken cached = current();
    AccessToken lookalike = new AccessToken(cached.value(), cached.expiresAt());
    assertThat(cache.refused(refusalOf(lookalike))).isFalse();
    assertThat(current()).isSameAs(cached);
  }

  @Test
  void aRefusalIsOutstandingUntilANewerTokenIsAccepted() {
    AccessToken first = current();
    cache.refused(refusalOf(first));
    assertThat(cache.unresolvedRefusal()).map(TokenCache.Refusal::graphRequestId).contains("request-1");
    cache.accepted(first); // a late success of the refused token proves nothing about the next one
    assertThat(cache.unresolvedRefusal()).isPresent();
    cache.accepted(current());
    assertThat(cache.unresolvedRefusal()).isEmpty();
  }

  @Test
  void renewalForConsentHappensAtMostOncePerWindow() {
    AccessToken first = current();
    assertThat(cache.renewAtMostEvery(Duration.ofMinutes(5), first)).isTrue();
    AccessToken second = current();
    assertThat(cache.renewAtMostEvery(Duration.ofMinutes(5), second)).as("inside the window").isFalse();
    assertThat(current()).isSameAs(second);
    assertThat(cache.renewAtMostEvery(Duration.ZERO, second)).as("once the window has passed").isTrue();
    assertThat(fetches).hasValue(2);
    assertThat(cache.unresolvedRefusal()).as("a 403 is no refusal of the token itself").isEmpty();
  }
}
