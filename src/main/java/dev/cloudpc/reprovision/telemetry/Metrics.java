package dev.cloudpc.reprovision.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;

/**
 * The product's metrics (Application Insights: customMetrics, attributes as custom dimensions). Each method is one
 * decision point's record; with no SDK or agent behind the API they return at once, without building attributes.
 */
public final class Metrics {
  public static final String DECISIONS = "reprovision.decisions";
  public static final String GRAPH_REQUESTS = "reprovision.graph.requests";
  public static final String BUDGET_WAIT = "reprovision.graph.budget.wait";
  public static final String BUDGET_PAUSES = "reprovision.graph.budget.pauses";
  public static final String TOKEN_FETCHES = "reprovision.identity.token.fetches";
  public static final String STORE_REQUESTS = "reprovision.store.requests";
  public static final String POLL_ANSWERS = "reprovision.poll.answers";

  public static final AttributeKey<String> ROUTE = AttributeKey.stringKey("route");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
  public static final AttributeKey<String> LIMIT = AttributeKey.stringKey("graph.limit");
  public static final AttributeKey<Long> STATUS = Outbound.STATUS;
  public static final AttributeKey<String> METHOD = Outbound.METHOD;
  public static final AttributeKey<String> CREDENTIAL = AttributeKey.stringKey("credential");
  public static final AttributeKey<String> RESOURCE = AttributeKey.stringKey("resource");
  public static final AttributeKey<String> SOURCE = AttributeKey.stringKey("source");
  /** A Graph call no documented Windows 365 limit covers (the reprovision POST, users, user settings). */
  public static final String UNLIMITED = "none";

  /** Null when nothing records metrics: then no instrument is built either (fewer classes at cold start). */
  private final Instruments instruments;

  private record Instruments(LongCounter decisions, LongCounter graphRequests, DoubleHistogram budgetWait,
                             LongCounter budgetPauses, LongCounter tokenFetches, LongCounter storeRequests,
                             LongCounter pollAnswers) {
  }

  Metrics(MeterProvider provider) {
    this.instruments = provider == MeterProvider.noop() ? null : instruments(provider.get(Telemetry.SCOPE));
  }

  private static Instruments instruments(Meter meter) {
    return new Instruments(
        meter.counterBuilder(DECISIONS).setUnit("{decision}")
            .setDescription("Reprovision decisions by route and outcome (one per audit event)").build(),
        meter.counterBuilder(GRAPH_REQUESTS).setUnit("{request}")
            .setDescription("Requests sent to Microsoft Graph by Windows 365 limit and answer status (0: no answer)")
            .build(),
        meter.histogramBuilder(BUDGET_WAIT).setUnit("ms")
            .setDescription("Time a limited Graph call waited for its turn in the app's budget; outcome granted or "
                + "refused (429 graph-budget-spent)").build(),
        meter.counterBuilder(BUDGET_PAUSES).setUnit("{pause}")
            .setDescription("Graph answered 429 to a limited call: every call of that limit paused").build(),
        meter.counterBuilder(TOKEN_FETCHES).setUnit("{fetch}")
            .setDescription("Token requests to the identity provider or managed identity endpoint, by outcome")
            .build(),
        meter.counterBuilder(STORE_REQUESTS).setUnit("{request}")
            .setDescription("Requests to the shared state store (Azure Table Storage) by method and status "
                + "(0: no answer)").build(),
        meter.counterBuilder(POLL_ANSWERS).setUnit("{answer}")
            .setDescription("Cloud PC reads for status and polls, answered from the view of polled PCs or by a "
                + "Graph Get").build());
  }

  /** Whether anything records these metrics: work done only to label a record can be skipped when not. */
  public boolean enabled() {
    return instruments != null;
  }

  public void decision(String route, String outcome) {
    if (instruments != null) {
      instruments.decisions().add(1, Attributes.of(ROUTE, route, OUTCOME, outcome));
    }
  }

  /** @param limit the Windows 365 limit's key, or {@link #UNLIMITED} */
  public void graphRequest(String limit, int status) {
    if (instruments != null) {
      instruments.graphRequests().add(1, Attributes.of(LIMIT, limit, STATUS, (long) status));
    }
  }

  public void budgetTurn(String limit, long waitedNanos, boolean granted) {
    if (instruments != null) {
      instruments.budgetWait().record(waitedNanos / 1e6,
          Attributes.of(LIMIT, limit, OUTCOME, granted ? "granted" : "refused"));
    }
  }

  public void budgetPause(String limit) {
    if (instruments != null) {
      instruments.budgetPauses().add(1, Attributes.of(LIMIT, limit));
    }
  }

  public void tokenFetch(String credential, String resource, boolean ok) {
    if (instruments != null) {
      instruments.tokenFetches().add(1,
          Attributes.of(CREDENTIAL, credential, RESOURCE, resource, OUTCOME, ok ? "ok" : "failed"));
    }
  }

  /** @param failed no answer, a 5xx, or the store refused the credentials: what makes reprovisions answer 503 */
  public void storeRequest(String method, int status, boolean failed) {
    if (instruments != null) {
      instruments.storeRequests().add(1,
          Attributes.of(METHOD, method, STATUS, (long) status, OUTCOME, failed ? "failed" : "ok"));
    }
  }

  /** @param source {@code view} or {@code graph} */
  public void pollAnswer(String source) {
    if (instruments != null) {
      instruments.pollAnswers().add(1, Attributes.of(SOURCE, source));
    }
  }
}
