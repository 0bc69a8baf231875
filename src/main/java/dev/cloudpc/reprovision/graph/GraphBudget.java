package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * The app's share of Graph's Windows 365 limits: {@link GraphClient} takes a turn before every send of a limited
 * call (retries included: Graph counts every request, a throttled one too) and reports Graph's 429s, so that one
 * pause holds every request of that limit instead of each retrying on its own.
 */
public interface GraphBudget {

  /**
   * Completes when the call may be sent, now; requests take their turns in arrival order ({@code arrival}: when the
   * request first asked, so a retry keeps its place). Fails at once with a 429 problem (Retry-After: when its turn
   * would come) when the turn cannot come before the request's deadline.
   */
  Future<Void> turn(GraphLimit limit, long arrival, RequestScope scope);

  /** Graph answered 429 for a call of this limit: nothing of it is sent before {@code retryAfter} has passed. */
  void throttled(GraphLimit limit, Duration retryAfter);

  /** No budget: every turn is granted at once (tests of other concerns, tools). */
  GraphBudget UNLIMITED = new GraphBudget() {
    @Override
    public Future<Void> turn(GraphLimit limit, long arrival, RequestScope scope) {
      return Future.succeededFuture();
    }

    @Override
    public void throttled(GraphLimit limit, Duration retryAfter) {
    }
  };
}
