package dev.cloudpc.reprovision.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store when no storage account is configured (the local host, most tests): one instance's heap. Expired
 * entries are swept every thousand inserts, so nothing needs a timer. Entries are kept as their JSON text, version
 * and expiry in milliseconds rather than as {@link Entry} (a JSON tree, an ETag string, an {@link Instant}): a
 * remembered reprovision is written for every request and kept for minutes, so under a 128 MiB heap its size is what
 * decides how often the old generation fills (measured in docs/performance.md).
 */
public final class MemoryStore implements SharedStore {
  private static final int SWEEP_EVERY = 1000;

  private record Stored(String json, long version, long expiresAtMillis) {
    static Stored of(JsonObject value, long version, Instant expiresAt) {
      return new Stored(value.encode(), version, expiresAt.toEpochMilli());
    }

    boolean expired(long nowMillis) {
      return nowMillis >= expiresAtMillis;
    }

    boolean hasEtag(String etag) {
      return Long.toString(version).equals(etag);
    }

    Entry entry() {
      return new Entry(new JsonObject(json), Long.toString(version), Instant.ofEpochMilli(expiresAtMillis));
    }
  }

  private final Map<Key, Stored> entries = new ConcurrentHashMap<>();
  private final AtomicLong versions = new AtomicLong();

  @Override
  public String describe() {
    return "in memory (this instance only; set AzureWebJobsStorage to share it)";
  }

  @Override
  public Future<Insert> insertIfAbsent(Key key, JsonObject value, Instant expiresAt) {
    long version = versions.incrementAndGet();
    long now = System.currentTimeMillis();
    if (version % SWEEP_EVERY == 0) {
      entries.values().removeIf(stored -> stored.expired(now));
    }
    Stored fresh = Stored.of(value, version, expiresAt);
    Stored winner = entries.compute(key, (k, current) -> current == null || current.expired(now) ? fresh : current);
    return Future.succeededFuture(new Insert(winner.entry(), winner == fresh));
  }

  @Override
  public Future<Entry> replace(Key key, String etag, JsonObject value, Instant expiresAt) {
    Stored fresh = Stored.of(value, versions.incrementAndGet(), expiresAt);
    Stored now = entries.computeIfPresent(key, (k, current) -> current.hasEtag(etag) ? fresh : current);
    return Future.succeededFuture(now == fresh ? fresh.entry() : null);
  }

  @Override
  public Future<Entry> find(Key key) {
    Stored stored = entries.get(key);
    return Future.succeededFuture(stored == null || stored.expired(System.currentTimeMillis()) ? null
        : stored.entry());
  }

  @Override
  public Future<Void> delete(Key key, String etag) {
    entries.computeIfPresent(key, (k, current) -> current.hasEtag(etag) ? null : current);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> check() {
    return Future.succeededFuture();
  }
}
