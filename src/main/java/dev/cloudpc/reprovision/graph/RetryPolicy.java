package dev.cloudpc.reprovision.graph;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a Graph call again: only after 429 or 503 (Graph did not process it), honouring {@code Retry-After}
 * (seconds or HTTP date), else exponential backoff with full jitter; a bounded number of attempts.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

  public static RetryPolicy of(int maxAttempts) {
    return new RetryPolicy(maxAttempts, Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  public static boolean notProcessed(int status) {
    return status == 429 || status == 503;
  }

  public boolean mayRetry(int attempt) {
    return attempt < maxAttempts;
  }

  /** The wait before attempt {@code attempt + 1}. */
  public Duration delay(String retryAfter, int attempt) {
    Duration asked = parseRetryAfter(retryAfter);
    if (asked != null) {
      return asked;
    }
    long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 16));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
  }

  static Duration parseRetryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (RuntimeException notDate) {
        return null;
      }
    }
  }
}
