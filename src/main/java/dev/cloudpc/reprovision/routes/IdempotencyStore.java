package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.store.SettledEntry;
import dev.cloudpc.reprovision.store.SharedStore.Entry;
import dev.cloudpc.reprovision.store.SharedStore.Key;
import dev.cloudpc.reprovision.store.SharedStore;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the answer to each {@code Idempotency-Key} (per caller) for a day: a repeated key with the same request
 * replays the first answer without calling Graph; with a different request it is refused (422). Shared by every instance
 * through the {@link SharedStore}: the first request inserts a "pending" entry (insert-if-absent), replaced by its
 * answer (If-Match) or deleted when the answer says "try again" (429, 5xx). A bounded local map in front lets
 * concurrent repeats on one instance join the first; a repeat on another instance while the first is still pending
 * waits for its answer within its own deadline ({@link SettledEntry}) and replays it — past the deadline a 503 with
 * Retry-After, never a 409 that a flow would not retry — and goes ahead itself if the first answer was not kept.
 * Stored: hashes of the key and of the request, and the answer's status, content type, body and headers — with the
 * caller's function key taken out of links.
 */
public final class IdempotencyStore {
  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyStore.class);
  private static final Duration TTL = Duration.ofHours(24);
  /** A pending entry outlives the longest request deadline, then frees the key if its instance died. */
  private static final Duration PENDING_TTL = Duration.ofMinutes(5);
  private static final int MAX_LOCAL_ENTRIES = 10_000;
  private static final String KIND = "idempotency";
  private static final String PENDING = "pending";
  private static final String ANSWERED = "answered";
  private static final long PENDING_RETRY_AFTER_SECONDS = 5;
  /** Stands for the caller's {@code ?code=} in stored links; replays put the replaying caller's key back. */
  private static final String KEY_PLACEHOLDER = "{functionKey}";

  /** An HTTP answer as it was sent. */
  public record StoredAnswer(int status, String contentType, String body, Map<String, String> headers) {

    JsonObject toJson() {
      return new JsonObject().put("status", status).put("contentType", contentType).put("body", body)
          .put("headers", new JsonObject(new LinkedHashMap<>(headers)));
    }

    static StoredAnswer fromJson(JsonObject json) {
      Map<String, String> headers = new LinkedHashMap<>();
      json.getJsonObject("headers").forEach(h -> headers.put(h.getKey(), String.valueOf(h.getValue())));
      return new StoredAnswer(json.getInteger("status"), json.getString("contentType"), json.getString("body"),
          headers);
    }

    /** Every occurrence of {@code from} in the body and headers replaced by {@code to}. */
    StoredAnswer replacing(String from, String to) {
      Map<String, String> replaced = new LinkedHashMap<>();
      headers.forEach((name, value) -> replaced.put(name, value.replace(from, to)));
      return new StoredAnswer(status, contentType, body.replace(from, to), replaced);
    }
  }

  /** The result of claiming a key: either this request owns it, or the first answer is known. */
  public sealed interface Claim permits Owner, Replay {
  }

  /** This request goes ahead; {@link #settle} stores (or drops) its answer and hands it back. */
  public record Owner(IdempotencyStore store, String id, Entry pending, Promise<StoredAnswer> local,
                      String encodedFunctionKey) implements Claim {
    public Future<StoredAnswer> settle(AsyncResult<StoredAnswer> answer) {
      return store.settle(this, answer);
    }
  }

  public record Replay(Future<StoredAnswer> answer) implements Claim {
  }

  private record Local(String fingerprint, Future<StoredAnswer> answer, long expiresAtNanos) {
  }

  private final SharedStore store;
  private final Map<String, Local> local = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Local> eldest) {
      return size() > MAX_LOCAL_ENTRIES || System.nanoTime() - eldest.getValue().expiresAtNanos > 0;
    }
  };

  public IdempotencyStore(SharedStore store) {
    this.store = store;
  }

  /**
   * @param key                the caller and its Idempotency-Key
   * @param encodedFunctionKey the caller's {@code ?code=} as it appears in links (URL-encoded), or null
   * @param deadline           how long this request may wait for the answer of a first request still pending
   */
  public Future<Claim> claim(String key, String fingerprint, String encodedFunctionKey, Deadline deadline) {
    String id = sha256(key);
    String fingerprintHash = sha256(fingerprint);
    Promise<StoredAnswer> mine = Promise.promise();
    synchronized (this) {
      Local entry = local.get(id);
      if (entry != null && System.nanoTime() - entry.expiresAtNanos < 0) {
        return entry.fingerprint.equals(fingerprintHash) ? Future.succeededFuture(new Replay(entry.answer))
            : Future.failedFuture(reused());
      }
      local.put(id, new Local(fingerprintHash, mine.future(), System.nanoTime() + TTL.toNanos()));
    }
    return claimInStore(id, fingerprintHash, mine, encodedFunctionKey, deadline)
        .onFailure(failure -> {
          dropLocal(id, mine);
          mine.tryFail(failure); // local repeats that joined this one get the same refusal
        });
  }

  /** Inserts the pending entry, or replays the first request's answer — waiting for it while it is pending. */
  private Future<Claim> claimInStore(String id, String fingerprintHash, Promise<StoredAnswer> mine,
                                     String encodedFunctionKey, Deadline deadline) {
    Key key = new Key(KIND, id);
    JsonObject pending = new JsonObject().put("fingerprint", fingerprintHash).put("state", PENDING);
    return Future.succeededFuture()
        .compose(v -> store.insertIfAbsent(key, pending, Instant.now().plus(PENDING_TTL)))
        .compose(insert -> {
          if (insert.inserted()) {
            return Future.succeededFuture(new Owner(this, id, insert.entry(), mine, encodedFunctionKey));
          }
          if (!fingerprintHash.equals(insert.entry().value().getString("fingerprint"))) {
            return Future.failedFuture(reused());
          }
          Future<Entry> first = answered(insert.entry().value()) ? Future.succeededFuture(insert.entry())
              : SettledEntry.await(store, key, IdempotencyStore::answered, deadline, IdempotencyStore::stillPending);
          // Gone: the first answer said "try again" (429, 5xx) and was not kept, or its request died — go ahead.
          return first.compose(entry -> entry == null ? claimInStore(id, fingerprintHash, mine, encodedFunctionKey,
              deadline) : Future.succeededFuture(replay(entry.value(), fingerprintHash, mine)));
        });
  }

  private static Claim replay(JsonObject first, String fingerprintHash, Promise<StoredAnswer> mine) {
    if (!fingerprintHash.equals(first.getString("fingerprint"))) {
      throw reused();
    }
    mine.complete(StoredAnswer.fromJson(first.getJsonObject("answer")));
    return new Replay(mine.future());
  }

  private static boolean answered(JsonObject entry) {
    return ANSWERED.equals(entry.getString("state"));
  }

  private static RuntimeException stillPending() {
    return Problem.unavailable("idempotency-key-in-use", "A request with this Idempotency-Key is still being "
        + "processed, and its answer had not arrived by this request's deadline; nothing was done for this one. Ask "
        + "again in a few seconds to get that answer.", PENDING_RETRY_AFTER_SECONDS).exception();
  }

  private static RuntimeException reused() {
    return Problem.of(422, "idempotency-key-reused", "Unprocessable request", "This Idempotency-Key was already "
        + "used for a different request; use a new key for a new request.").exception();
  }

  /** Links in a replay carry the replaying caller's key (or none), never the one stored. */
  public static StoredAnswer forCaller(StoredAnswer answer, String encodedFunctionKey) {
    return encodedFunctionKey == null ? answer.replacing("&code=" + KEY_PLACEHOLDER, "")
        : answer.replacing(KEY_PLACEHOLDER, encodedFunctionKey);
  }

  /** Answers that say "try again" (429, 5xx) are not kept, so a retry with the same key really retries. */
  private Future<StoredAnswer> settle(Owner owner, AsyncResult<StoredAnswer> answer) {
    boolean keep = answer.succeeded() && answer.result().status() != 429 && answer.result().status() < 500;
    Key key = new Key(KIND, owner.id());
    Future<?> written;
    if (keep) {
      StoredAnswer safe = owner.encodedFunctionKey() == null ? answer.result()
          : answer.result().replacing(owner.encodedFunctionKey(), KEY_PLACEHOLDER);
      written = store.replace(key, owner.pending().etag(), owner.pending().value().copy().put("state", ANSWERED)
          .put("answer", safe.toJson()), Instant.now().plus(TTL));
    } else {
      dropLocal(owner.id(), owner.local());
      written = store.delete(key, owner.pending().etag());
    }
    owner.local().handle(answer);
    return written.transform(done -> {
      if (done.failed()) {
        // The pending entry then stays until it expires; repeats meanwhile wait, then get 503 — never a second run.
        LOG.warn("could not record an Idempotency-Key answer: {}", done.cause().getMessage());
      }
      return owner.local().future();
    });
  }

  private synchronized void dropLocal(String id, Promise<StoredAnswer> mine) {
    Local entry = local.get(id);
    if (entry != null && entry.answer == mine.future()) {
      local.remove(id);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
