package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.request.InvocationLog;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.telemetry.Metrics;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One audit event per reprovision decision on logger {@code audit}: who (the caller's kind, object id, app id and
 * display name), through which route, what (the Cloud PC, options, dry run), the outcome and why, Graph's request-id,
 * the client-request-id, the Functions invocation id and the trace id. Every field is an MDC entry and an SLF4J
 * key-value — custom dimensions in Application Insights — and the message repeats them as {@code key=value} pairs
 * for the console and for the Functions host's own log, which keeps only the message. Identifiers only; tokens and keys
 * never reach it. Each event also counts in {@link Metrics#DECISIONS}.
 */
public final class AuditLog {
  public static final String LOGGER = "audit";
  /** The field that marks an audit event, with its value: {@code audit=reprovision}. */
  public static final String EVENT = "audit";
  public static final String EVENT_NAME = "reprovision";
  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);

  private final Metrics metrics;

  public AuditLog(Metrics metrics) {
    this.metrics = metrics;
  }

  /**
   * What was decided about one Cloud PC.
   *
   * @param outcome {@code accepted}, {@code already-running}, {@code dry-run}, {@code replayed}, {@code refused} or
   *                {@code failed} (bulk: the per-PC result)
   * @param reason  why, for refusals and failures (the problem's slug), or a detail; null when accepted
   */
  public record Decision(String route, String cloudPcId, ReprovisionOptions options, boolean dryRun, String outcome,
                         String graphRequestId, String reason) {
  }

  public void record(RequestScope scope, Caller caller, Decision decision) {
    metrics.decision(decision.route(), decision.outcome());
    Map<String, String> fields = fields(caller, decision);
    StringBuilder message = new StringBuilder(256);
    fields.forEach((key, value) -> pair(message, key, value));
    pair(message, InvocationLog.CLIENT_REQUEST_ID, scope.clientRequestId());
    pair(message, InvocationLog.INVOCATION_ID, scope.invocationId());
    pair(message, InvocationLog.TRACE_ID, scope.traceId());
    InvocationLog.log(AUDIT, Level.INFO, scope.invocationId(), scope.traceparent(), scope.clientRequestId(), fields,
        message.toString(), null);
  }

  /** The event's own fields in a stable order; the request's ids are added by {@link InvocationLog}. */
  static Map<String, String> fields(Caller caller, Decision decision) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(EVENT, EVENT_NAME);
    fields.put("outcome", decision.outcome());
    fields.put("reason", decision.reason());
    fields.put("route", decision.route());
    fields.put("cloudPcId", decision.cloudPcId());
    fields.put("dryRun", Boolean.toString(decision.dryRun()));
    fields.put("osVersion", decision.options() == null ? null : decision.options().osVersion());
    fields.put("userAccountType", decision.options() == null ? null : decision.options().userAccountType());
    fields.put("callerKind", caller == null ? null : caller.kind().name().toLowerCase(Locale.ROOT));
    fields.put("callerObjectId", caller == null ? null : caller.objectId());
    fields.put("callerAppId", caller == null ? null : caller.appId());
    fields.put("callerName", caller == null ? null : caller.displayName());
    fields.put("graphRequestId", decision.graphRequestId());
    fields.values().removeIf(value -> value == null);
    return fields;
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
