package dev.cloudpc.reprovision.budget;

import dev.cloudpc.reprovision.graph.GraphLimit;
import dev.cloudpc.reprovision.store.SharedStore;
import dev.cloudpc.reprovision.store.SharedStore.Key;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may send in which second, agreed through the {@link SharedStore} every instance uses: a bucket (one second of
 * one limit) belongs to the instance whose insert-if-absent wrote it first — a lease that ends with its second, so an
 * instance that dies holding leases costs the app at most those seconds and leaves nothing to clean up. A Graph 429
 * is written as a pause that the other instances read when they next claim. Rows live in a ring of one day per limit
 * (RowKey = limit and second of the day), so the table never grows past 2 × 86,400 rows.
 */
final class Ledger {
  private static final String KIND = "budget";
  private static final long RING_SECONDS = 86_400;
  /** How stale this instance's copy of another instance's pause may be. */
  private static final long PAUSE_READ_EVERY_MS = 2_000;

  /** The outcome of a claim: whether this instance owns the bucket, and until when the limit is paused (ms). */
  record Claim(boolean won, long pausedUntilMillis) {
  }

  private final SharedStore store;
  private final String instance;
  private final Map<GraphLimit, PauseRead> pauses = new ConcurrentHashMap<>();

  private record PauseRead(long readAtMillis, long untilMillis) {
  }

  Ledger(SharedStore store, String instance) {
    this.store = store;
    this.instance = instance;
  }

  /** Tries to lease {@code bucket} for {@code limit}; fails as the store fails. */
  Future<Claim> claim(GraphLimit limit, long bucket, long nowMillis) {
    Key key = new Key(KIND, limit.key() + "-" + Math.floorMod(bucket, RING_SECONDS));
    JsonObject lease = new JsonObject().put("bucket", bucket).put("instance", instance);
    Future<Boolean> won = store.insertIfAbsent(key, lease, Instant.ofEpochMilli(Pacing.startOf(bucket + 1)))
        .map(SharedStore.Insert::inserted);
    return Future.all(won, pausedUntil(limit, nowMillis))
        .map(both -> new Claim(won.result(), both.<Long>resultAt(1)));
  }

  /** Records a pause until {@code untilMillis} unless a longer one is recorded already. */
  Future<Void> pause(GraphLimit limit, long nowMillis, long untilMillis) {
    Key key = pauseKey(limit);
    JsonObject value = new JsonObject().put("until", untilMillis).put("instance", instance);
    pauses.merge(limit, new PauseRead(nowMillis, untilMillis),
        (known, mine) -> new PauseRead(nowMillis, Math.max(known.untilMillis(), mine.untilMillis())));
    return store.insertIfAbsent(key, value, Instant.ofEpochMilli(untilMillis)).compose(insert ->
        insert.inserted() || insert.entry().value().getLong("until", 0L) >= untilMillis ? Future.succeededFuture()
            : store.replace(key, insert.entry().etag(), value, Instant.ofEpochMilli(untilMillis)).mapEmpty());
  }

  private Future<Long> pausedUntil(GraphLimit limit, long nowMillis) {
    PauseRead known = pauses.get(limit);
    if (known != null && nowMillis - known.readAtMillis() < PAUSE_READ_EVERY_MS) {
      return Future.succeededFuture(known.untilMillis());
    }
    return store.find(pauseKey(limit)).map(entry -> {
      long until = entry == null ? 0 : entry.value().getLong("until", 0L);
      pauses.put(limit, new PauseRead(nowMillis, until));
      return until;
    });
  }

  private static Key pauseKey(GraphLimit limit) {
    return new Key(KIND, limit.key() + "-pause");
  }
}
