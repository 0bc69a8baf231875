package dev.cloudpc.reprovision.local;

import dev.cloudpc.reprovision.telemetry.Outbound;
import dev.cloudpc.reprovision.telemetry.RequestSpan;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The local host's picture of what each request did, from the same spans Application Insights gets on Azure: one
 * line per API request with its status, time, trace id and client-request-id, followed by the calls it made (Graph,
 * identity, storage) with theirs. A call's span ends before its request's, so calls wait here for their request.
 */
final class RequestSummaries implements SpanProcessor {
  /** Calls whose request never ends here (background refreshes have no request) are forgotten beyond this. */
  private static final int MAX_WAITING = 1_000;

  private final Consumer<String> out;
  private final Map<String, List<String>> calls = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > MAX_WAITING;
    }
  };

  RequestSummaries(Consumer<String> out) {
    this.out = out;
  }

  @Override
  public void onStart(Context parent, ReadWriteSpan span) {
  }

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (span.getKind() == SpanKind.CLIENT) {
      SpanContext parent = span.getParentSpanContext();
      if (parent.isValid()) {
        synchronized (calls) {
          calls.computeIfAbsent(parent.getSpanId(), id -> new ArrayList<>()).add(call(span));
        }
      }
    } else if (span.getKind() == SpanKind.SERVER) {
      List<String> made;
      synchronized (calls) {
        made = calls.remove(span.getSpanContext().getSpanId());
      }
      out.accept(line(span, made == null ? List.of() : made));
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  private static String line(ReadableSpan request, List<String> calls) {
    StringBuilder line = new StringBuilder(160).append(request.getName()).append(' ')
        .append(request.getAttribute(RequestSpan.STATUS)).append(' ').append(millis(request)).append(" ms trace=")
        .append(request.getSpanContext().getTraceId()).append(" client-request-id=")
        .append(request.getAttribute(RequestSpan.CLIENT_REQUEST_ID));
    for (String call : calls) {
      line.append("\n    ").append(call);
    }
    return line.toString();
  }

  private static String call(ReadableSpan span) {
    Long status = span.getAttribute(Outbound.STATUS);
    String error = span.getAttribute(Outbound.ERROR);
    return "-> " + span.getAttribute(Outbound.SERVER) + " " + span.getName() + " "
        + (status != null ? status.toString() : "failed (" + error + ")") + " " + millis(span) + " ms";
  }

  private static long millis(ReadableSpan span) {
    return Math.round(span.getLatencyNanos() / 1e6);
  }
}
