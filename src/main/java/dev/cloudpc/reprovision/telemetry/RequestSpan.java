package dev.cloudpc.reprovision.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.function.Supplier;

/**
 * The server span of one API request (OpenTelemetry HTTP semantic conventions): a child of the caller's trace, named
 * by method and route once routing has chosen one. When no SDK records it, the caller's own span context stands in
 * for it, or, when the caller named none, a new one — so the trace id below is always the one Graph sees.
 */
public final class RequestSpan {
  public static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  public static final AttributeKey<Long> STATUS = Outbound.STATUS;
  public static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  public static final AttributeKey<String> CLIENT_REQUEST_ID = AttributeKey.stringKey("client_request_id");
  public static final AttributeKey<String> INVOCATION_ID = AttributeKey.stringKey("faas.invocation_id");

  private final Span span;
  private final Context context;
  private final String method;

  private RequestSpan(Span span, Context context, String method) {
    this.span = span;
    this.context = context;
    this.method = method;
  }

  static RequestSpan start(Tracer tracer, String method, String path, Context parent) {
    Span span = tracer.spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER)
        .setAttribute(Outbound.METHOD, method).setAttribute(PATH, path).startSpan();
    if (!span.getSpanContext().isValid()) {
      span = TraceContexts.newRootSpan();
    }
    return new RequestSpan(span, parent.with(span), method);
  }

  /** What the request's own calls are children of. */
  public Context context() {
    return context;
  }

  /** The request's W3C trace context, for log lines and the audit. */
  public String traceparent() {
    return TraceContexts.traceparent(span.getSpanContext());
  }

  public String traceId() {
    return span.getSpanContext().getTraceId();
  }

  public String spanId() {
    return span.getSpanContext().getSpanId();
  }

  /** Adds an attribute while the request runs (ids learnt on the way); nothing when not recorded. */
  public void attribute(AttributeKey<String> key, String value) {
    if (value != null && span.isRecording()) {
      span.setAttribute(key, value);
    }
  }

  /** Ends the span with the answer's status; {@code route}: the route template, null when none matched. */
  public void end(int status, Supplier<String> route) {
    if (span.isRecording()) {
      String template = route.get();
      if (template != null) {
        span.setAttribute(ROUTE, template);
        span.updateName(method + " " + template);
      }
      span.setAttribute(STATUS, status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end();
  }
}
