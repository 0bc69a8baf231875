package dev.cloudpc.reprovision.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Small records shared by every instance of the function, each with an expiry. The three operations are atomic
 * across instances — insert only if absent, replace or delete only if unchanged since read (ETag) — which is all that
 * "claim this Cloud PC", "remember this outcome" and "this Idempotency-Key means this request" need. An expired entry
 * counts as absent and is removed lazily. Every operation fails with a {@link StoreUnavailable} problem when the
 * store cannot answer: callers fail closed.
 */
public interface SharedStore {

  /** A partition ({@code kind}) and an id within it: letters, digits, '.', '_' and '-' only. */
  record Key(String kind, String id) {
    private static final Pattern SAFE = Pattern.compile("^[A-Za-z0-9._-]{1,255}$");

    public Key {
      if (!SAFE.matcher(kind).matches() || !SAFE.matcher(id).matches()) {
        throw new IllegalArgumentException("store keys are [A-Za-z0-9._-]{1,255}");
      }
    }
  }

  /** What is kept under a key, the version it has (the ETag) and when it stops counting. */
  record Entry(JsonObject value, String etag, Instant expiresAt) {
    public boolean expired(Instant now) {
      return !now.isBefore(expiresAt);
    }
  }

  /** The result of {@link #insertIfAbsent}: this caller's new entry, or the live one that was there first. */
  record Insert(Entry entry, boolean inserted) {
  }

  /** Where the state lives, for /api/health and logs; never a key. */
  String describe();

  Future<Insert> insertIfAbsent(Key key, JsonObject value, Instant expiresAt);

  /** Replaces the entry if its ETag is still {@code etag}: the new entry, or null when it changed or vanished. */
  Future<Entry> replace(Key key, String etag, JsonObject value, Instant expiresAt);

  /** The live entry under the key, or null when there is none or it expired. */
  Future<Entry> find(Key key);

  /** Deletes the entry if its ETag is still {@code etag}; an entry that changed or vanished is left as it is. */
  Future<Void> delete(Key key, String etag);

  /** Succeeds when the store answers (health). */
  Future<Void> check();
}
