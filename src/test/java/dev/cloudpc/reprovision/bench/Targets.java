package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.cloudpc.CloudPc;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one benchmark request is, on each side of the comparison: a reprovision through the product, or the same two
 * Graph calls the product makes for it (the Cloud PC with its last remote action, then the POST) sent straight to the
 * fake Graph. Every request takes the next generated Cloud
 * PC, so no two requests share a PC and single-flight coalescing cannot flatter the figures.
 */
final class Targets {
  static final int GRAPH_CALLS_PER_REQUEST = 2;
  private static final String CLOUD_PCS = "/beta/deviceManagement/virtualEndpoint/cloudPCs/";

  private final BenchClient client;
  private final SandboxTenant tenant;
  private final String graphToken;
  private final String callerToken;
  private final AtomicInteger nextCloudPc = new AtomicInteger();

  Targets(BenchClient client, SandboxTenant tenant, String graphToken) {
    this.client = client;
    this.tenant = tenant;
    this.graphToken = graphToken;
    // One token for the whole run, as a flow reuses its token for its lifetime.
    this.callerToken = tenant.identity().mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID,
        List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V2, Duration.ofHours(2));
  }

  /** POST /api/cloudpcs/{id}/reprovision on the product at {@code port}; 202 expected. */
  Future<Boolean> reprovision(int port) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Authorization", "Bearer " + callerToken)
        .add("x-functions-key", tenant.functionKey());
    return client.send(HttpMethod.POST, port, "/api/cloudpcs/" + nextCloudPc() + "/reprovision", headers, null, 202);
  }

  /** The product's Graph calls for one reprovision, in its order, with an app-only Graph token. */
  Future<Boolean> graphDirectly() {
    String pc = CLOUD_PCS + nextCloudPc();
    int port = tenant.graphBaseUrl().getPort();
    // Like the product: one client-request-id for the two calls of one request.
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Authorization", "Bearer " + graphToken)
        .add("Accept", "application/json")
        .add("client-request-id", UUID.randomUUID().toString());
    MultiMap readHeaders = MultiMap.caseInsensitiveMultiMap().addAll(headers)
        .add("Prefer", "include-unknown-enum-members");
    MultiMap postHeaders = MultiMap.caseInsensitiveMultiMap().addAll(headers).add("Content-Type", "application/json");
    return client.send(HttpMethod.GET, port, pc + "?$select=" + CloudPc.SELECT, readHeaders, null, 200)
        .compose(ok -> ok ? client.send(HttpMethod.POST, port, pc + "/reprovision", postHeaders, "{}", 204)
            : Future.succeededFuture(false));
  }

  int cloudPcsUsed() {
    return nextCloudPc.get();
  }

  private String nextCloudPc() {
    int index = nextCloudPc.getAndIncrement();
    if (index >= tenant.options().extraCloudPcs()) {
      throw new IllegalStateException("the sandbox was seeded with too few Cloud PCs for this run");
    }
    return SandboxSeed.extraCloudPcId(index);
  }
}
