package dev.cloudpc.reprovision.telemetry;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.cloudpc.reprovision.request.AuditEvent;
import dev.cloudpc.reprovision.graph.GraphClient;
import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxGraph;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Azurite;
import dev.cloudpc.reprovision.support.Eventually;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the product shows of itself through OpenTelemetry, recorded by the SDK's in-memory exporters as the
 * Application Insights agent would record it on Azure: one trace from the caller to Graph, the metrics, a throttled
 * call, the audit event's fields — and, without any SDK, the caller's trace id still on every Graph request.
 */
class TelemetryTest extends StrictVertxTest {
  private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01";
  private static final AttributeKey<String> GRAPH_REQUEST_ID = AttributeKey.stringKey("graph.request_id");

  private static InMemorySpanExporter spans;
  private static InMemoryMetricReader metrics;
  private static OpenTelemetrySdk sdk;
  private static SandboxTenant tenant;
  private static TestStack stack;
  private static int nextPc;

  @BeforeAll
  static void start() {
    spans = InMemorySpanExporter.create();
    metrics = InMemoryMetricReader.create();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .build();
    tenant = await(SandboxTenant.start(vertx, TestStack.options().withExtraCloudPcs(20)));
    stack = TestStack.start(vertx, tenant, Map.of(), sdk);
  }

  @AfterAll
  static void stop() {
    stack.close();
    sdk.close();
  }

  @BeforeEach
  void forget() {
    spans.reset();
  }

  /** A Cloud PC no other test of this class has reprovisioned (the guard remembers reprovisions). */
  private static synchronized String freshPc() {
    return SandboxGraph.extraCloudPcId(nextPc++);
  }

  @Test
  void oneAdminReprovisionIsTheRequestSpanWithItsGraphSpansUnderTheCallersTrace() {
    String pc = freshPc();
    String clientRequestId = UUID.randomUUID().toString();
    HttpResponse<Buffer> answer = await(reprovision(stack, pc, clientRequestId, TRACEPARENT));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);

    SpanData request = serverSpan(CALLER_TRACE);
    assertThat(request.getParentSpanId()).isEqualTo(CALLER_SPAN);
    assertThat(request.getName()).isEqualTo("POST /api/cloudpcs/{cloudPcId}/reprovision");
    assertThat(request.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(202L);
    assertThat(request.getAttributes().get(RequestSpan.CLIENT_REQUEST_ID)).isEqualTo(clientRequestId);

    List<SpanData> graphSpans = childrenOf(request).stream()
        .filter(span -> span.getAttributes().get(AttributeKey.stringKey("graph.limit")) != null).toList();
    List<RecordedRequest> graphRequests = graphRequestsOf(clientRequestId);
    assertThat(graphSpans).hasSameSizeAs(graphRequests).hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(span -> assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT));
    Map<String, SpanData> bySpanId = graphSpans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
    for (RecordedRequest sent : graphRequests) {
      String[] traceparent = sent.header("traceparent").split("-");
      assertThat(traceparent[1]).as("%s %s", sent.method(), sent.path()).isEqualTo(CALLER_TRACE);
      assertThat(bySpanId).as("the Graph request names its own span").containsKey(traceparent[2]);
    }
    SpanData post = graphSpans.stream().filter(span -> span.getName().startsWith("POST ")).findFirst().orElseThrow();
    assertThat(post.getName()).isEqualTo("POST /deviceManagement/virtualEndpoint/cloudPCs/{id}/reprovision");
    assertThat(post.getAttributes().get(GRAPH_REQUEST_ID)).isEqualTo(answer.getHeader("request-id"));
    assertThat(post.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(204L);
  }

  @Test
  void withoutAnSdkEveryGraphRequestStillCarriesTheCallersTraceId() {
    TestStack plain = TestStack.start(vertx, tenant, Map.of());
    try {
      String traced = UUID.randomUUID().toString();
      assertThat(await(reprovision(plain, freshPc(), traced, TRACEPARENT)).statusCode()).isEqualTo(202);
      String untraced = UUID.randomUUID().toString();
      assertThat(await(reprovision(plain, freshPc(), untraced, null)).statusCode()).isEqualTo(202);

      assertThat(graphRequestsOf(traced)).hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(sent -> assertThat(sent.header("traceparent")).isEqualTo(TRACEPARENT));
      assertThat(graphRequestsOf(untraced)).hasSizeGreaterThanOrEqualTo(2)
          .extracting(sent -> sent.header("traceparent")).allMatch(tp -> tp.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"))
          .map(tp -> tp.substring(3, 35)).as("a request that named no trace is one of its own")
          .doesNotContain(CALLER_TRACE).containsOnly(graphRequestsOf(untraced).get(0).header("traceparent")
              .substring(3, 35));
      assertThat(spans.getFinishedSpanItems()).as("nothing recorded without an SDK").isEmpty();
    } finally {
      await(plain.app.close()); // the tenant stays for the other tests
    }
  }

  @Test
  void theCountersMoveAsStated() {
    String pc = freshPc();
    Map<String, Long> before = counters();
    assertThat(await(reprovision(stack, pc, UUID.randomUUID().toString(), TRACEPARENT)).statusCode()).isEqualTo(202);
    assertThat(await(stack.get("/api/cloudpcs/" + pc, stack.adminToken())).statusCode()).isEqualTo(200);
    assertThat(await(stack.get("/api/cloudpcs/" + pc, stack.adminToken())).statusCode()).isEqualTo(200);
    Map<String, Long> after = counters();

    assertThat(delta(before, after, Metrics.DECISIONS, "outcome=accepted,route=admin")).isEqualTo(1);
    assertThat(delta(before, after, Metrics.GRAPH_REQUESTS, "graph.limit=getCloudPc,http.response.status_code=200"))
        .as("the guard's read and the first status read").isEqualTo(2);
    assertThat(delta(before, after, Metrics.GRAPH_REQUESTS, "graph.limit=none,http.response.status_code=204"))
        .as("the reprovision POST").isEqualTo(1);
    assertThat(delta(before, after, Metrics.POLL_ANSWERS, "source=graph")).as("the first status read").isEqualTo(1);
    assertThat(delta(before, after, Metrics.POLL_ANSWERS, "source=view")).as("the second, fresh enough").isEqualTo(1);
    assertThat(delta(before, after, Metrics.BUDGET_WAIT, "graph.limit=getCloudPc,outcome=granted"))
        .as("every Get Cloud PC took its turn").isEqualTo(2);
    assertThat(after.get(Metrics.TOKEN_FETCHES + "{credential=client-secret,outcome=ok,resource=127.0.0.1}"))
        .as("the start-up fetch of the Graph token").isPositive();
  }

  @Test
  void aThrottledGraphCallIsVisibleAsSuchPausesItsLimitAndItsRetryLineCarriesTheRequestsIds() {
    String pc = freshPc();
    String clientRequestId = UUID.randomUUID().toString();
    tenant.graph().faults().next("GET", ".*/cloudPCs/" + pc, Fault.status(429, "TooManyRequests",
        Map.of("Retry-After", "1")));
    Map<String, Long> before = counters();
    Queue<Map<String, String>> graphLines = capture(GraphClient.class.getName());
    try {
      assertThat(await(reprovision(stack, pc, clientRequestId, TRACEPARENT)).statusCode()).isEqualTo(202);
    } finally {
      release(GraphClient.class.getName());
    }
    Map<String, Long> after = counters();

    List<SpanData> reads = childrenOf(serverSpan(CALLER_TRACE)).stream()
        .filter(span -> "getCloudPc".equals(span.getAttributes().get(AttributeKey.stringKey("graph.limit"))))
        .sorted(java.util.Comparator.comparing(s -> s.getAttributes().get(AttributeKey.longKey("graph.attempt"))))
        .toList();
    assertThat(reads).hasSize(2);
    SpanData throttled = reads.get(0);
    assertThat(throttled.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(429L);
    assertThat(throttled.getAttributes().get(AttributeKey.booleanKey("graph.throttled"))).isTrue();
    assertThat(throttled.getAttributes().get(AttributeKey.stringKey("graph.retry_after"))).isEqualTo("1");
    assertThat(throttled.getAttributes().get(AttributeKey.stringKey("graph.error_code"))).isEqualTo("TooManyRequests");
    assertThat(throttled.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(reads.get(1).getAttributes().get(AttributeKey.booleanKey("graph.throttled"))).isFalse();

    assertThat(delta(before, after, Metrics.GRAPH_REQUESTS, "graph.limit=getCloudPc,http.response.status_code=429"))
        .isEqualTo(1);
    assertThat(delta(before, after, Metrics.BUDGET_PAUSES, "graph.limit=getCloudPc")).isEqualTo(1);
    assertThat(graphLines).as("the retry line").anySatisfy(fields -> assertThat(fields)
        .containsEntry("clientRequestId", clientRequestId).containsEntry("traceId", CALLER_TRACE)
        .containsEntry("invocationId", "local"));
  }

  @Test
  void aTokenFetchedForARequestIsAnIdentitySpanOfItAndCarriesItsTraceparent() {
    TestStack onBehalf = TestStack.start(vertx, tenant, Map.of("GRAPH_CREDENTIAL", "on-behalf-of"), sdk);
    try {
      Map<String, Long> before = counters();
      HttpResponse<Buffer> answer = await(onBehalf.request(HttpMethod.POST, "/api/me/cloudpcs/"
              + SandboxSeed.ADELE_CLOUD_PCS.get(0) + "/reprovision", onBehalf.userToken(SandboxSeed.ADELE))
          .putHeader("traceparent", TRACEPARENT).send());
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);

      SpanData token = childrenOf(serverSpan(CALLER_TRACE)).stream().filter(s -> s.getName().equals("POST token"))
          .findFirst().orElseThrow();
      assertThat(token.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(token.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
      assertThat(tenant.identity().tokenRequestTraceparents())
          .contains("00-" + CALLER_TRACE + "-" + token.getSpanId() + "-01");
      assertThat(delta(before, counters(), Metrics.TOKEN_FETCHES,
          "credential=on-behalf-of,outcome=ok,resource=127.0.0.1")).isEqualTo(1);
    } finally {
      await(onBehalf.app.close());
    }
  }

  @Test
  void storageRequestsAreSpansOfTheRequestThatMadeThemAndCountInTheStoreMetric() {
    String table = "telemetry" + System.nanoTime();
    TestStack stored = TestStack.start(vertx, tenant, Map.of("AzureWebJobsStorage",
        Azurite.shared().connectionString(), "REPROVISION_STATE_TABLE", table), sdk);
    try {
      Map<String, Long> before = counters();
      assertThat(await(reprovision(stored, freshPc(), UUID.randomUUID().toString(), TRACEPARENT)).statusCode())
          .isEqualTo(202);
      Map<String, Long> after = counters();

      List<SpanData> storage = childrenOf(serverSpan(CALLER_TRACE)).stream()
          .filter(s -> s.getName().endsWith(" " + table)).toList();
      assertThat(storage).as("the claim (insert) and the outcome (replace)").hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(span -> assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT))
          .anySatisfy(span -> assertThat(span.getName()).isEqualTo("POST " + table))
          .anySatisfy(span -> assertThat(span.getName()).isEqualTo("PUT " + table));
      long requests = after.entrySet().stream().filter(e -> e.getKey().startsWith(Metrics.STORE_REQUESTS + "{")
          && e.getKey().contains("outcome=ok")).mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L))
          .sum();
      assertThat(requests).isGreaterThanOrEqualTo(storage.size());
    } finally {
      await(stored.app.close());
    }
  }

  @Test
  void theAuditEventCarriesEveryFieldAsAKeyValueAndAsMdc() {
    String pc = freshPc();
    String clientRequestId = UUID.randomUUID().toString();
    Queue<Map<String, String>> audit = capture(AuditEvent.LOGGER);
    HttpResponse<Buffer> answer;
    try {
      answer = await(stack.request(HttpMethod.POST, "/api/cloudpcs/" + pc + "/reprovision", stack.adminToken())
          .putHeader("client-request-id", clientRequestId).putHeader("traceparent", TRACEPARENT)
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer("{\"osVersion\":\"windows11\",\"userAccountType\":\"standardUser\"}")));
    } finally {
      release(AuditEvent.LOGGER);
    }
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);

    Map<String, String> expected = new HashMap<>(Map.ofEntries(
        Map.entry("audit", "reprovision"),
        Map.entry("outcome", "accepted"),
        Map.entry("route", "admin"),
        Map.entry("cloudPcId", pc),
        Map.entry("dryRun", "false"),
        Map.entry("osVersion", "windows11"),
        Map.entry("userAccountType", "standardUser"),
        Map.entry("callerKind", "application"),
        Map.entry("callerAppId", SandboxSeed.ADMIN_CALLER_APP_ID),
        Map.entry("graphRequestId", answer.getHeader("request-id")),
        Map.entry("clientRequestId", clientRequestId),
        Map.entry("invocationId", "local"),
        Map.entry("traceId", CALLER_TRACE)));
    assertThat(audit).singleElement().satisfies(fields -> {
      assertThat(fields).containsAllEntriesOf(expected).containsKey("callerObjectId");
      assertThat(fields.get("message")).as("the message repeats them for the host's log")
          .contains("outcome=accepted", "cloudPcId=" + pc, "traceId=" + CALLER_TRACE);
    });
  }

  private static io.vertx.core.Future<HttpResponse<Buffer>> reprovision(TestStack on, String pc,
                                                                        String clientRequestId, String traceparent) {
    var request = on.request(HttpMethod.POST, "/api/cloudpcs/" + pc + "/reprovision", on.adminToken())
        .putHeader("client-request-id", clientRequestId);
    if (traceparent != null) {
      request.putHeader("traceparent", traceparent);
    }
    return request.send();
  }

  /** The request's server span, once it has ended (after the answer left). */
  private static SpanData serverSpan(String traceId) {
    await(Eventually.until(vertx, () -> spans.getFinishedSpanItems().stream()
        .anyMatch(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId))));
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId)).findFirst().orElseThrow();
  }

  private static List<SpanData> childrenOf(SpanData parent) {
    return spans.getFinishedSpanItems().stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())
        && s.getTraceId().equals(parent.getTraceId())).toList();
  }

  private static List<RecordedRequest> graphRequestsOf(String clientRequestId) {
    return tenant.graph().requests().stream()
        .filter(r -> clientRequestId.equals(r.header("client-request-id"))).toList();
  }

  /** Every counter and histogram point as "name{k=v,...}" → sum (counters) or count (histograms). */
  private static Map<String, Long> counters() {
    Map<String, Long> points = new HashMap<>();
    for (MetricData metric : metrics.collectAllMetrics()) {
      switch (metric.getType()) {
        case LONG_SUM -> {
          for (LongPointData point : metric.getLongSumData().getPoints()) {
            points.put(metric.getName() + key(point.getAttributes()), point.getValue());
          }
        }
        case HISTOGRAM -> {
          for (HistogramPointData point : metric.getHistogramData().getPoints()) {
            points.put(metric.getName() + key(point.getAttributes()), point.getCount());
          }
        }
        default -> {
        }
      }
    }
    return points;
  }

  private static String key(Attributes attributes) {
    return attributes.asMap().entrySet().stream().map(e -> e.getKey().getKey() + "=" + e.getValue()).sorted()
        .collect(Collectors.joining(",", "{", "}"));
  }

  private static long delta(Map<String, Long> before, Map<String, Long> after, String metric, String attributes) {
    String key = metric + "{" + attributes + "}";
    return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
  }

  private static final Map<String, AppenderBase<ILoggingEvent>> CAPTURES = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The MDC and the key-values of each event of one logger, read as it is logged (as an asynchronous appender or the
   * Application Insights agent reads them), plus its message; MDC and key-values must agree.
   */
  private static Queue<Map<String, String>> capture(String loggerName) {
    Queue<Map<String, String>> events = new ConcurrentLinkedQueue<>();
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        Map<String, String> keyValues = event.getKeyValuePairs() == null ? Map.of() : event.getKeyValuePairs()
            .stream().collect(Collectors.toMap(kv -> kv.key, kv -> String.valueOf(kv.value)));
        assertThat(keyValues).isEqualTo(event.getMDCPropertyMap());
        Map<String, String> fields = new HashMap<>(event.getMDCPropertyMap());
        fields.put("message", event.getFormattedMessage());
        events.add(fields);
      }
    };
    appender.start();
    ((Logger) LoggerFactory.getLogger(loggerName)).addAppender(appender);
    CAPTURES.put(loggerName, appender);
    return events;
  }

  private static void release(String loggerName) {
    ((Logger) LoggerFactory.getLogger(loggerName)).detachAppender(CAPTURES.remove(loggerName));
  }
}
