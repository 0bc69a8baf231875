package dev.cloudpc.reprovision.request;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * An audit event on logger {@code audit}: its fields are MDC entries and SLF4J key-values (custom dimensions in
 * Application Insights), with the request's invocation id, trace id and client-request-id (see {@link InvocationLog});
 * the message repeats them all as {@code key=value} pairs, for the console and for the Functions host's own log, which
 * keeps only the message. {@link #EVENT} names the kind of event. Identifiers only: never a token or key.
 */
public final class AuditEvent {
  public static final String LOGGER = "audit";
  /** The field every audit event has: what happened ({@code reprovision}, {@code function-key-caller}, …). */
  public static final String EVENT = "audit";
  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);

  private AuditEvent() {
  }

  /** @param fields in the order the message shows them, {@link #EVENT} first; null values are left out */
  public static void log(Level level, RequestScope scope, Map<String, String> fields) {
    fields.values().removeIf(value -> value == null);
    StringBuilder message = new StringBuilder(256);
    fields.forEach((key, value) -> pair(message, key, value));
    pair(message, InvocationLog.CLIENT_REQUEST_ID, scope.clientRequestId());
    pair(message, InvocationLog.INVOCATION_ID, scope.invocationId());
    pair(message, InvocationLog.TRACE_ID, scope.traceId());
    InvocationLog.log(AUDIT, level, scope.invocationId(), scope.traceparent(), scope.clientRequestId(), fields,
        message.toString(), null);
  }

  /** {@code key=value}, the value quoted when it holds a space or a quote (KQL parse-kv reads it back). */
  private static void pair(StringBuilder line, String key, String value) {
    if (value == null) {
      return;
    }
    if (!line.isEmpty()) {
      line.append(' ');
    }
    line.append(key).append('=');
    if (value.indexOf(' ') >= 0 || value.indexOf('"') >= 0 || value.isEmpty()) {
      line.append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    } else {
      line.append(value);
    }
  }
}
