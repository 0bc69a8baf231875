package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Runs the sandbox's request-time code paths once on the starting worker thread, so the first real request on an
 * event loop finds its classes loaded and its regexes compiled (a cold JVM can otherwise spend more than a strict
 * 100 ms blocked-thread budget there). Touches no shared state.
 */
final class Warmup {

  private Warmup() {
  }

  static void exercise(SandboxTenant tenant) {
    UpnFilter.parse("userPrincipalName eq 'warm''up@contoso.sandbox'");
    ReprovisionBody.parse(Buffer.buffer("{\"osVersion\":\"windows11\",\"userAccountType\":\"standardUser\"}"));
    new FaultPlan().next("GET", ".*", Fault.status(503, "ServiceUnavailable", Map.of())).pick("GET", "/x");
    new SimulatedRebuild("pc", "md", Instant.now(), Instant.now(), null)
        .toJson(Instant.now());
    tenant.graph().cloudPcs().forEach(CloudPcView::toJson);
    EntraError.of(400, "invalid_request", 900144, "warm-up");
    String token = tenant.identity().mintUserToken(SandboxSeed.ADELE, List.of("warm-up"), List.of(),
        TokenVersion.V1, Duration.ofMinutes(1));
    tenant.identity().verify(token);
    tenant.identity().verifyGraphToken(token);
  }
}
