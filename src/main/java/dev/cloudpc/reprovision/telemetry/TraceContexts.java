package dev.cloudpc.reprovision.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) by the API's own propagator, used directly rather than
 * through {@code OpenTelemetry.getPropagators()}: without an SDK or agent those propagate nothing, and the
 * {@code traceparent} must reach Graph, the identity endpoints and storage with the caller's trace id all the same.
 * Also the request's trace as the ambient one of its Vert.x context, for calls made below APIs that carry no request
 * (token fetches, the shared store).
 */
public final class TraceContexts {
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Function<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Function<String, String> carrier) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(Function<String, String> carrier, String key) {
      return carrier == null ? null : carrier.apply(key);
    }
  };
  private static final TextMapSetter<BiConsumer<String, String>> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.accept(key, value);
    }
  };

  private TraceContexts() {
  }

  /** The remote parent named by a request's {@code traceparent}/{@code tracestate} headers; root when none is valid. */
  public static Context extract(Function<String, String> headers) {
    return W3C.extract(Context.root(), headers, GETTER);
  }

  /** Writes {@code traceparent} (and {@code tracestate} if any) for the span in {@code context}; nothing when none. */
  public static void inject(Context context, BiConsumer<String, String> headers) {
    W3C.inject(context, headers, SETTER);
  }

  /** {@code 00-<trace id>-<span id>-<flags>}, or null for an invalid context. */
  public static String traceparent(SpanContext span) {
    return span.isValid() ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex()
        : null;
  }

  /** The trace of the invocation thread's current context when an agent put one there, else {@code fallback}. */
  public static String currentOr(String fallback) {
    String current = traceparent(Span.current().getSpanContext());
    return current != null ? current : fallback;
  }

  /**
   * A span context of our own for a request that names no parent while no SDK makes spans: new random ids, so that
   * its Graph, identity and storage requests still share one trace id.
   */
  static Span newRootSpan() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    long span;
    do {
      span = random.nextLong();
    } while (span == 0);
    return Span.wrap(SpanContext.create(TraceId.fromLongs(high, low), SpanId.fromLong(span), TraceFlags.getSampled(),
        TraceState.getDefault()));
  }

  /** Makes {@code trace} the ambient trace of the current Vert.x context (a request's own, duplicated context). */
  public static void attach(Context trace) {
    io.vertx.core.Context context = Vertx.currentContext();
    if (context != null) {
      TraceLocal.LOCAL.put(context, trace);
    }
  }

  /** The ambient trace of the current Vert.x context: its request's, or root outside any request. */
  public static Context ambient() {
    io.vertx.core.Context context = Vertx.currentContext();
    Context trace = context == null ? null : TraceLocal.LOCAL.get(context);
    return trace == null ? Context.root() : trace;
  }
}
