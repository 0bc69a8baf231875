package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.request.AuditEvent;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.telemetry.Metrics;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.event.Level;

/**
 * One audit event per reprovision decision ({@code audit=reprovision} on logger {@code audit}, see {@link AuditEvent}):
 * who (the caller's kind, object id, app id and display name), through which route, what (the Cloud PC, options, dry
 * run), the outcome and why, Graph's request-id, and the request's client-request-id, Functions invocation id and
 * trace id — each a field of its own. Each event also counts in {@link Metrics#DECISIONS}.
 */
public final class AuditLog {
  public static final String EVENT_NAME = "reprovision";

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
    AuditEvent.log(Level.INFO, scope, fields(caller, decision));
  }

  /** The event's own fields in a stable order; the request's ids are added by {@link AuditEvent}. */
  static Map<String, String> fields(Caller caller, Decision decision) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(AuditEvent.EVENT, EVENT_NAME);
    fields.put("outcome", decision.outcome());
    fields.put("reason", decision.reason());
    fields.put("route", decision.route());
    fields.put("cloudPcId", decision.cloudPcId());
    fields.put("dryRun", Boolean.toString(decision.dryRun()));
    fields.put("osVersion", decision.options() == null ? null : decision.options().osVersion());
    fields.put("userAccountType", decision.options() == null ? null : decision.options().userAccountType());
    caller(fields, caller);
    fields.put("graphRequestId", decision.graphRequestId());
    return fields;
  }

  /** Who, as every audit event names the caller. */
  public static void caller(Map<String, String> fields, Caller caller) {
    fields.put("callerKind", caller == null ? null : caller.kind().name().toLowerCase(Locale.ROOT));
    fields.put("callerObjectId", caller == null ? null : caller.objectId());
    fields.put("callerAppId", caller == null ? null : caller.appId());
    fields.put("callerName", caller == null ? null : caller.displayName());
  }
}
