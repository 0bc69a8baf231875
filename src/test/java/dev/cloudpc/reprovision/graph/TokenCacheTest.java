package dev.cloudpc.reprovision.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cache's refusal rules on their own: identity comparison, the outstanding refusal, the renewal window. */
class TokenCacheTest {
  private final AtomicInteger fetches = new AtomicInteger();
  private final TokenCache cache = new TokenCache(() -> Future.succeededFuture(
      new AccessToken("token-" + fetches.incrementAndGet(), Instant.now().plus(Duration.ofHours(1)))));

  private AccessToken current() {
    return cache.get().result();
  }

  private static TokenCache.Refusal refusalOf(AccessToken token) {
    return new TokenCache.Refusal(token, "InvalidAuthenticationToken", "request-1");
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
