package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.request.InvocationLog;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One structured (JSON) line per reprovision decision on logger {@code audit}: who, which PC, which route, with what
 * options, Graph's request-id and the outcome — accepted, already running, replayed, dry run, refused or failed.
 * Identifiers only; tokens and keys never reach it. Each line carries the Functions invocation id and the W3C
 * traceparent, and reaches the invocation's own log (see {@link InvocationLog}) as well as the console.
 */
public final class AuditLog {
  private static final Logger AUDIT = LoggerFactory.getLogger("audit");

  public void record(RequestScope scope, Caller caller, String route, String cloudPcId, ReprovisionOptions options,
                     String outcome, String graphRequestId, String detail) {
    JsonObject line = new JsonObject()
        .put("event", "reprovision")
        .put("at", Instant.now().toString())
        .put("outcome", outcome)
        .put("route", route)
        .put("cloudPcId", cloudPcId)
        .put("caller", caller == null ? null : caller.auditJson())
        .put("osVersion", options == null ? null : options.osVersion())
        .put("userAccountType", options == null ? null : options.userAccountType())
        .put("graphRequestId", graphRequestId)
        .put("clientRequestId", scope.clientRequestId())
        .put("invocationId", scope.invocationId())
        .put("traceparent", scope.traceparent());
    if (detail != null) {
      line.put("detail", detail);
    }
    InvocationLog.log(AUDIT, Level.INFO, scope.invocationId(), line.encode(), null);
  }
}
