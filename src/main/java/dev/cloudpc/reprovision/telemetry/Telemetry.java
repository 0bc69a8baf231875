package dev.cloudpc.reprovision.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * The product's spans and metrics, through the OpenTelemetry API only. Under Azure Functions the Application Insights
 * Java agent backs the API (requests, dependencies and custom metrics in Application Insights); the local host can
 * back it with an SDK; otherwise every span and metric is a no-op, and only the W3C trace context still travels
 * ({@link TraceContexts}). Built once per app.
 */
public final class Telemetry {
  static final String SCOPE = "dev.cloudpc.reprovision";

  private final Tracer tracer;
  private final Metrics metrics;

  private Telemetry(OpenTelemetry api) {
    this.tracer = api.getTracer(SCOPE);
    this.metrics = new Metrics(api.getMeterProvider());
  }

  public static Telemetry of(OpenTelemetry api) {
    return new Telemetry(api);
  }

  /** Nothing recorded, trace context still propagated (tools and tests of other concerns). */
  public static Telemetry none() {
    return new Telemetry(OpenTelemetry.noop());
  }

  public Metrics metrics() {
    return metrics;
  }

  /** The span of one API request, a child of the trace its caller (or the Functions invocation) named. */
  public RequestSpan request(String method, String path, Context parent) {
    return RequestSpan.start(tracer, method, path, parent);
  }

  /**
   * The span of one outgoing request to {@code serverAddress}, a child of {@code parent}; its context is what the
   * request's {@code traceparent} names.
   */
  public Outbound outbound(String name, Context parent, String method, String serverAddress) {
    Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.CLIENT)
        .setAttribute(Outbound.METHOD, method).setAttribute(Outbound.SERVER, serverAddress).startSpan();
    return new Outbound(span, parent.with(span));
  }
}
