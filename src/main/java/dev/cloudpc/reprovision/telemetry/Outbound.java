package dev.cloudpc.reprovision.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.function.BiConsumer;

/**
 * The client span of one outgoing request (Graph, an identity endpoint, storage): started before sending, its
 * {@code traceparent} written into the request, ended with the answer's status or the failure. HTTP attributes follow
 * OpenTelemetry's semantic conventions, which Application Insights shows as an HTTP dependency.
 */
public final class Outbound {
  public static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
  public static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
  public static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

  private final Span span;
  private final Context context;

  Outbound(Span span, Context context) {
    this.span = span;
    this.context = context;
  }

  /** Writes this span's W3C trace context into the request's headers. */
  public void inject(BiConsumer<String, String> headers) {
    TraceContexts.inject(context, headers);
  }

  /** Whether attributes are recorded: computing one costs nothing to skip when no SDK listens. */
  public boolean recording() {
    return span.isRecording();
  }

  /** A name that says which operation it was, once known to be worth computing ({@link #recording()}). */
  public Outbound rename(String name) {
    span.updateName(name);
    return this;
  }

  public Outbound attribute(AttributeKey<String> key, String value) {
    if (value != null && span.isRecording()) {
      span.setAttribute(key, value);
    }
    return this;
  }

  public Outbound attribute(AttributeKey<Long> key, long value) {
    if (span.isRecording()) {
      span.setAttribute(key, value);
    }
    return this;
  }

  public Outbound attribute(AttributeKey<Boolean> key, boolean value) {
    if (span.isRecording()) {
      span.setAttribute(key, value);
    }
    return this;
  }

  /** The URL without its query (which can name users), for the dependency's data. */
  public Outbound url(String url) {
    int query = url.indexOf('?');
    return attribute(URL, query < 0 ? url : url.substring(0, query));
  }

  /** The peer answered: a 4xx or 5xx marks the call failed, as the conventions say for a client. */
  public void answered(int status) {
    if (span.isRecording()) {
      span.setAttribute(STATUS, status);
      if (status >= 400) {
        span.setStatus(StatusCode.ERROR);
        span.setAttribute(ERROR, Integer.toString(status));
      }
    }
    span.end();
  }

  /** No answer: connection refused or reset, timeout. */
  public void failed(Throwable cause) {
    if (span.isRecording()) {
      span.setStatus(StatusCode.ERROR, String.valueOf(cause.getMessage()));
      span.setAttribute(ERROR, cause.getClass().getSimpleName());
    }
    span.end();
  }
}
