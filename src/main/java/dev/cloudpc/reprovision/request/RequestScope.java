package dev.cloudpc.reprovision.request;

import dev.cloudpc.reprovision.config.Settings;
import io.opentelemetry.context.Context;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Correlation and budget of one API request: the caller's (or a new) {@code client-request-id} sent on to Graph,
 * the W3C {@code traceparent}, the Functions invocation id when running under the host, and the deadline.
 * {@code origin} is the scheme and authority the caller used (for Location URLs); {@code queryKey} the function key
 * the caller sent as {@code ?code=}, if any, so that polling URLs work for the same caller; {@code keyVerified}: the
 * Functions host (or the local host's emulation) checked a function key for this request; {@code trace}: the
 * request's span (OpenTelemetry context), parent of its Graph calls.
 */
public record RequestScope(String clientRequestId, String traceparent, String invocationId, Deadline deadline,
                           String origin, String queryKey, boolean keyVerified, Context trace) {

  private static final String KEY = "requestScope";

  /** A scope outside any traced request (background refreshes, tools). */
  public RequestScope(String clientRequestId, String traceparent, String invocationId, Deadline deadline,
                      String origin, String queryKey, boolean keyVerified) {
    this(clientRequestId, traceparent, invocationId, deadline, origin, queryKey, keyVerified, Context.root());
  }

  /** The caller's {@code client-request-id} when it is a GUID (what Graph accepts), else a new one. */
  public static String clientRequestId(String sent) {
    return sent != null && Settings.GUID.matcher(sent).matches() ? sent : UUID.randomUUID().toString();
  }

  public static RequestScope of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** Makes this the scope of the request {@code ctx} routes (done once, first thing, by the router). */
  public void attachTo(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  /**
   * An absolute URL on this API for {@code path} with extra query parameters, carrying the caller's {@code ?code=}
   * key if it used one (so that a poller that only repeats the URL still passes the Functions host).
   */
  public String absolute(String path, Map<String, String> query, boolean withKey) {
    var params = new LinkedHashMap<>(query);
    if (withKey && queryKey != null) {
      params.put("code", queryKey);
    }
    StringBuilder url = new StringBuilder(origin).append(path);
    char separator = '?';
    for (var param : params.entrySet()) {
      url.append(separator).append(param.getKey()).append('=')
          .append(URLEncoder.encode(param.getValue(), StandardCharsets.UTF_8));
      separator = '&';
    }
    return url.toString();
  }

  /** The W3C trace id of this request (from its traceparent), or null. */
  public String traceId() {
    return traceIdOf(traceparent);
  }

  /** The trace id inside a W3C {@code traceparent} ({@code 00-<trace id>-<span id>-<flags>}), or null. */
  public static String traceIdOf(String traceparent) {
    return traceparent != null && traceparent.length() >= 35 ? traceparent.substring(3, 35) : null;
  }

  /** Prefix for every log line of this request. */
  public String logTag() {
    return logTag(invocationId, traceparent, clientRequestId);
  }

  /** The same prefix for lines written before a request reaches the router (the function entry's own refusals). */
  public static String logTag(String invocationId, String traceparent, String clientRequestId) {
    return "inv=" + invocationId + " traceparent=" + traceparent + " client-request-id=" + clientRequestId;
  }
}
