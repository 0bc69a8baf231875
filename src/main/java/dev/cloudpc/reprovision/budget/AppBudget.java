package dev.cloudpc.reprovision.budget;

import dev.cloudpc.reprovision.graph.GraphBudget;
import dev.cloudpc.reprovision.graph.GraphLimit;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.store.SharedStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/**
 * The function app's one Graph budget per documented Windows 365 limit, held by the app rather than by each request:
 * every instance takes its seconds from the shared store ({@link Ledger}), so together they stay within Microsoft's
 * per-app numbers; with the in-memory store (one instance) the instance has the budget to itself.
 */
public final class AppBudget implements GraphBudget {
  private final Map<GraphLimit, LimitQueue> queues = new EnumMap<>(GraphLimit.class);
  private final String describe;

  public AppBudget(Vertx vertx, BudgetOptions options, SharedStore store) {
    Ledger ledger = new Ledger(store, UUID.randomUUID().toString());
    for (GraphLimit limit : GraphLimit.values()) {
      queues.put(limit, new LimitQueue(vertx, limit, options.perMinute().get(limit), ledger));
    }
    this.describe = "through the state store: " + store.describe();
  }

  @Override
  public Future<Void> turn(GraphLimit limit, long arrival, RequestScope scope) {
    return queues.get(limit).turn(arrival, scope);
  }

  @Override
  public void throttled(GraphLimit limit, Duration retryAfter) {
    queues.get(limit).pause(System.currentTimeMillis() + Math.max(1, retryAfter.toMillis()));
  }

  /** Whether a request of this limit would be sent at once and the limit is far from spent (see LimitQueue). */
  public boolean idle(GraphLimit limit) {
    return queues.get(limit).idle();
  }

  /** Each limit as /api/health shows it: limit, paced rate, used in the last minute here, waiting, paused until. */
  public JsonObject snapshot() {
    JsonObject all = new JsonObject();
    queues.forEach((limit, queue) -> all.put(limit.key(), queue.snapshot().put("shared", describe)));
    return all;
  }
}
