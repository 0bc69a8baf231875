package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An embedded fake tenant on loopback: an Entra-like identity and a Microsoft Graph Cloud PC API on two ports, with
 * two users and five Cloud PCs. Used by {@code reprovision-local.jar --sandbox}, by tests and by benchmarks.
 *
 * <p>Deviation from "implements AutoCloseable": Java cannot have both {@code Future<Void> close()} and
 * {@code AutoCloseable.close()} (same signature, different return types). {@link #close()} is the asynchronous one
 * and never blocks; use {@code tenant.close()} or {@code tenant.close().await()} off the event loop.
 */
public final class SandboxTenant {

  /** The app role and delegated scope the product authorizes with (its defaults). */
  public static final String ADMIN_ROLE = "CloudPC.Reprovision.All";
  public static final String SELF_SCOPE = "CloudPC.Reprovision";
  private static final Duration BANNER_TOKEN_LIFETIME = Duration.ofHours(12);

  private final SandboxOptions options;
  private final String clientSecret;
  private final String functionKey;
  private final LoopbackServer identityServer;
  private final LoopbackServer graphServer;
  private final SandboxIdentity identity;
  private final SandboxGraph graph;

  private SandboxTenant(Vertx vertx, SandboxOptions options, IdentityKeyRing keys, LoopbackServer identityServer,
                        LoopbackServer graphServer) {
    this.options = options;
    this.clientSecret = Ids.urlSafe(30);
    this.functionKey = options.functionKey().orElseGet(() -> Ids.urlSafe(32));
    this.identityServer = identityServer;
    this.graphServer = graphServer;
    this.identity = new SandboxIdentity(vertx, options.tenantId(), options.clientId(), clientSecret,
        identityServer.baseUrl(), graphServer.baseUrl().toString(), keys);
    this.graph = new SandboxGraph(vertx, graphServer.baseUrl(), identity,
        new SandboxDirectory(options.extraCloudPcs(), Instant.now()), options.rebuildTime(), options.latency(),
        options.graphLimits());
    identityServer.serve(identity.routes());
    graphServer.serve(graph.requestHandler());
  }

  /** Generates the signing key on a worker thread and binds both servers; fails if either cannot bind. */
  public static Future<SandboxTenant> start(Vertx vertx, SandboxOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    Future<IdentityKeyRing> keys = IdentityKeyRing.generate(vertx);
    Future<LoopbackServer> identityServer = LoopbackServer.bind(vertx);
    Future<LoopbackServer> graphServer = LoopbackServer.bind(vertx);
    // join, not all: wait for every part so that a half-started sandbox can be closed again.
    // Assembling loads vertx-web and the sandbox's classes and compiles route patterns: on a cold JVM that can
    // exceed a strict event-loop budget, so it runs on a worker (it does no I/O; handlers are installed through
    // volatile fields).
    return Future.join(keys, identityServer, graphServer)
        .compose(ignored -> vertx.executeBlocking(() -> assemble(vertx, options, keys.result(),
            identityServer.result(), graphServer.result())))
        .recover(error -> closeBound(identityServer, graphServer).transform(ignored -> Future.failedFuture(error)));
  }

  private static SandboxTenant assemble(Vertx vertx, SandboxOptions options, IdentityKeyRing keys,
                                        LoopbackServer identityServer, LoopbackServer graphServer) {
    SandboxTenant tenant = new SandboxTenant(vertx, options, keys, identityServer, graphServer);
    Warmup.exercise(tenant);
    return tenant;
  }

  private static Future<Void> closeBound(Future<LoopbackServer> first, Future<LoopbackServer> second) {
    return Future.join(
            first.succeeded() ? first.result().close() : Future.succeededFuture(),
            second.succeeded() ? second.result().close() : Future.succeededFuture())
        .mapEmpty();
  }

  public String tenantId() {
    return options.tenantId();
  }

  public String clientId() {
    return options.clientId();
  }

  public String clientSecret() {
    return clientSecret;
  }

  public String functionKey() {
    return functionKey;
  }

  public URI identityBaseUrl() {
    return identityServer.baseUrl();
  }

  public URI graphBaseUrl() {
    return graphServer.baseUrl();
  }

  public SandboxIdentity identity() {
    return identity;
  }

  public SandboxGraph graph() {
    return graph;
  }

  public SandboxOptions options() {
    return options;
  }

  /**
   * Settings that point the product at this sandbox: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
   * AZURE_AUTHORITY_HOST, GRAPH_BASE_URL, GRAPH_CREDENTIAL=client-secret, FUNCTION_KEY, and the Graph budget settings
   * when this sandbox enforces other limits than Microsoft's.
   */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AZURE_TENANT_ID", tenantId());
    env.put("AZURE_CLIENT_ID", clientId());
    env.put("AZURE_CLIENT_SECRET", clientSecret);
    env.put("AZURE_AUTHORITY_HOST", identityBaseUrl().toString());
    env.put("GRAPH_BASE_URL", graphBaseUrl().toString());
    env.put("GRAPH_CREDENTIAL", "client-secret");
    env.put("FUNCTION_KEY", functionKey);
    if (!options.graphLimits().isDocumented()) {
      // The product's budget follows the limits this Graph enforces; unset, it assumes Microsoft's documented ones.
      env.put("GRAPH_GET_CLOUD_PC_PER_MINUTE", Integer.toString(options.graphLimits().getPerApp()));
      env.put("GRAPH_LIST_CLOUD_PCS_PER_MINUTE", Integer.toString(options.graphLimits().listPerApp()));
    }
    return Collections.unmodifiableMap(env);
  }

  /**
   * Start-up text with a function key, 12-hour admin and user tokens, the Cloud PCs, working curl lines and
   * {@code connectorImport}, how to import the sandbox as a custom connector.
   */
  public String banner(String apiBaseUrl, String connectorImport) {
    return new SandboxBanner(this).render(apiBaseUrl, connectorImport,
        identity.mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID, List.of(ADMIN_ROLE), TokenVersion.V2,
            BANNER_TOKEN_LIFETIME),
        identity.mintUserToken(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of(), TokenVersion.V2,
            BANNER_TOKEN_LIFETIME));
  }

  /** Closes both servers; never blocks. Cloud PC state is in memory and simply dropped. */
  public Future<Void> close() {
    return Future.join(identityServer.close(), graphServer.close()).mapEmpty();
  }
}
