package dev.cloudpc.reprovision.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store when no storage account is configured (the local host, most tests): one instance's heap. Expired
 * entries are swept every thousand inserts, so nothing needs a timer.
 */
public final class MemoryStore implements SharedStore {
  private static final int SWEEP_EVERY = 1000;

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong versions = new AtomicLong();

  @Override
  public String describe() {
    return "in memory (this instance only; set AzureWebJobsStorage to share it)";
  }

  @Override
  public Future<Insert> insertIfAbsent(Key key, JsonObject value, Instant expiresAt) {
    long version = versions.incrementAndGet();
    if (version % SWEEP_EVERY == 0) {
      Instant now = Instant.now();
      entries.values().removeIf(entry -> entry.expired(now));
    }
    Entry fresh = new Entry(value.copy(), Long.toString(version), expiresAt);
    Entry winner = entries.compute(key, (k, current) ->
        current == null || current.expired(Instant.now()) ? fresh : current);
    return Future.succeededFuture(new Insert(winner, winner == fresh));
  }

  @Override
  public Future<Entry> replace(Key key, String etag, JsonObject value, Instant expiresAt) {
    Entry fresh = new Entry(value.copy(), Long.toString(versions.incrementAndGet()), expiresAt);
    Entry now = entries.computeIfPresent(key, (k, current) -> current.etag().equals(etag) ? fresh : current);
    return Future.succeededFuture(now == fresh ? fresh : null);
  }

  @Override
  public Future<Void> delete(Key key, String etag) {
    entries.computeIfPresent(key, (k, current) -> current.etag().equals(etag) ? null : current);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> check() {
    return Future.succeededFuture();
  }
}
