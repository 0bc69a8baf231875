package dev.cloudpc.reprovision.reprovision;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the answer to each {@code Idempotency-Key} (per caller) for a day, bounded in size: a repeated key with
 * the same request replays the first answer without calling Graph; with a different request it is refused.
 */
public final class IdempotencyStore {
  private static final Duration TTL = Duration.ofHours(24);
  private static final int MAX_ENTRIES = 10_000;

  /** An HTTP answer as it was sent. */
  public record StoredAnswer(int status, String contentType, String body, Map<String, String> headers) {
  }

  /** The result of claiming a key: either this request owns it, or the first answer (or a mismatch) is known. */
  public sealed interface Claim permits Owner, Replay, Mismatch {
  }

  public record Owner(Promise<StoredAnswer> promise) implements Claim {
  }

  public record Replay(Future<StoredAnswer> answer) implements Claim {
  }

  public record Mismatch() implements Claim {
  }

  private record Entry(String fingerprint, Future<StoredAnswer> answer, long expiresAtNanos) {
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES || System.nanoTime() - eldest.getValue().expiresAtNanos > 0;
    }
  };

  public synchronized Claim claim(String key, String fingerprint) {
    Entry entry = entries.get(key);
    if (entry != null && System.nanoTime() - entry.expiresAtNanos < 0) {
      return entry.fingerprint.equals(fingerprint) ? new Replay(entry.answer) : new Mismatch();
    }
    Promise<StoredAnswer> promise = Promise.promise();
    entries.put(key, new Entry(fingerprint, promise.future(), System.nanoTime() + TTL.toNanos()));
    return new Owner(promise);
  }

  /** Answers that say "try again" (429, 5xx) are not kept, so a retry with the same key really retries. */
  public synchronized void forget(String key, Future<StoredAnswer> answer) {
    Entry entry = entries.get(key);
    if (entry != null && entry.answer == answer) {
      entries.remove(key);
    }
  }
}
