package dev.cloudpc.reprovision.request;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Log lines that belong to one request: always written to SLF4J (the console, as before), and — while the Azure
 * Functions invocation that handed the request over is running — also kept for that invocation, whose thread
 * publishes them to {@code ExecutionContext.getLogger()} before it returns.
 *
 * <p>Why the invocation thread publishes, not the event loop that logs: the worker's invocation logger sends each
 * record to the host tagged with the invocation id from whatever thread logs it
 * (azure-functions-java-worker {@code WorkerLogManager.java}, {@code HostLoggerListener}), but through
 * {@code JavaWorkerClient.StreamingMessagePeer.send}, which is {@code synchronized} with every other invocation's
 * answer — an event loop must not wait there. And the host ties a record to its invocation only while the
 * invocation is executing: once the worker's answer is in, records for it are ignored
 * (azure-functions-host {@code src/WebJobs.Script.Grpc/Channel/GrpcWorkerChannel.cs}, {@code Log} →
 * {@code IgnoringRpcLog}). Publishing from the invocation thread after the router answered and before returning puts
 * every line on the gRPC stream ahead of the answer, in order. Lines logged after the answer (a bulk run's later PCs)
 * stay on the console, tagged with the invocation id.
 *
 * <p>Every line also carries the request's ids as MDC entries and SLF4J key-values ({@link #INVOCATION_ID},
 * {@link #TRACE_ID}, {@link #CLIENT_REQUEST_ID}), lines after the answer included: the Application Insights Java
 * agent, when the function app turns it on, sends Logback events itself with their MDC as custom dimensions
 * (ApplicationInsights-Java {@code AiConfigCustomizer}: logback-appender capture-mdc-attributes "*") — and then the
 * Functions host drops the copies published to the invocation's logger (azure-functions-host
 * {@code WorkerTraceFilterTelemetryProcessor}), so each line arrives once either way.
 *
 * <p>The invocation id reaches the router in a hand-over header vouched for by the hand-over secret; the local host
 * never opens an invocation, so there this class only logs to the console.
 */
public final class InvocationLog {
  /** A bulk run of 1,000 PCs writes about as many audit lines; more than this stays on the console only. */
  static final int MAX_LINES = 2_000;
  public static final String INVOCATION_ID = "invocationId";
  public static final String TRACE_ID = "traceId";
  public static final String CLIENT_REQUEST_ID = "clientRequestId";
  private static final ConcurrentMap<String, Capture> OPEN = new ConcurrentHashMap<>();

  private InvocationLog() {
  }

  /** One line as logged: the logger's name is kept so the Functions log shows the category. */
  public record Line(Level level, String logger, String message, Throwable thrown) {
  }

  /** Lines kept for one running invocation; close it (on the invocation thread) to stop keeping them. */
  public static final class Capture implements AutoCloseable {
    private final String invocationId;
    private final Queue<Line> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();

    private Capture(String invocationId) {
      this.invocationId = invocationId;
    }

    private void offer(Line line) {
      if (kept.incrementAndGet() <= MAX_LINES) {
        lines.add(line);
      }
    }

    /** The lines kept so far, oldest first, and forgets them; a note says how many were only on the console. */
    public List<Line> drain() {
      List<Line> drained = new ArrayList<>();
      for (Line line = lines.poll(); line != null; line = lines.poll()) {
        drained.add(line);
      }
      int beyond = kept.get() - MAX_LINES;
      if (beyond > 0) {
        drained.add(new Line(Level.WARN, InvocationLog.class.getName(), "inv=" + invocationId + " " + beyond
            + " more lines of this invocation are in the console log only", null));
      }
      return drained;
    }

    @Override
    public void close() {
      OPEN.remove(invocationId, this);
    }
  }

  /** Starts keeping the lines of requests handed over by invocation {@code invocationId}. */
  public static Capture open(String invocationId) {
    Capture capture = new Capture(invocationId);
    OPEN.put(invocationId, capture);
    return capture;
  }

  /** Logs one line of a request (already formatted; never a secret) with its ids; see {@link #log(Logger, Level,
   * String, String, String, Map, String, Throwable)}. */
  public static void log(Logger log, Level level, RequestScope scope, String message, Throwable thrown) {
    if (log.isEnabledForLevel(level)) {
      try (Scope ignored = scope.trace().makeCurrent()) {
        emit(log, level, scope.invocationId(), scope.traceparent(), scope.clientRequestId(), Map.of(), message,
            thrown);
      }
    }
  }

  /**
   * Logs {@code message} (already formatted; never a secret) with the request's ids and {@code fields} as MDC entries
   * and key-values, and keeps it for the invocation if it is running. Logged outside any trace context: the
   * agent drops a log record of a trace it did not sample unless an override keeps it
   * (ApplicationInsights-Java {@code AzureMonitorLogFilteringProcessor}), and a record without one is always kept —
   * what audit events need; the trace id is a field of its own.
   */
  public static void log(Logger log, Level level, String invocationId, String traceparent, String clientRequestId,
                         Map<String, String> fields, String message, Throwable thrown) {
    if (log.isEnabledForLevel(level)) {
      try (Scope ignored = Context.root().makeCurrent()) {
        emit(log, level, invocationId, traceparent, clientRequestId, fields, message, thrown);
      }
    }
  }

  private static void emit(Logger log, Level level, String invocationId, String traceparent, String clientRequestId,
                           Map<String, String> fields, String message, Throwable thrown) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put(INVOCATION_ID, invocationId);
    all.put(TRACE_ID, RequestScope.traceIdOf(traceparent));
    all.put(CLIENT_REQUEST_ID, clientRequestId);
    all.putAll(fields);
    all.values().removeIf(value -> value == null);
    LoggingEventBuilder event = log.atLevel(level).setCause(thrown).setMessage(message);
    all.forEach((key, value) -> {
      MDC.put(key, value);
      event.addKeyValue(key, value);
    });
    try {
      event.log();
    } finally {
      all.keySet().forEach(MDC::remove);
    }
    Capture capture = invocationId == null ? null : OPEN.get(invocationId);
    if (capture != null) {
      capture.offer(new Line(level, log.getName(), message, thrown));
    }
  }
}
