package dev.cloudpc.reprovision;

import dev.cloudpc.reprovision.auth.AccessPolicy;
import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.auth.CallerOptions;
import dev.cloudpc.reprovision.auth.CallerValidator;
import dev.cloudpc.reprovision.auth.PollLinks;
import dev.cloudpc.reprovision.auth.SigningKeys;
import dev.cloudpc.reprovision.auth.TokenOptions;
import dev.cloudpc.reprovision.auth.TokenVerifier;
import dev.cloudpc.reprovision.budget.AppBudget;
import dev.cloudpc.reprovision.budget.BudgetOptions;
import dev.cloudpc.reprovision.cloudpc.AuditLog;
import dev.cloudpc.reprovision.cloudpc.BulkReprovisioner;
import dev.cloudpc.reprovision.cloudpc.CloudPcDirectory;
import dev.cloudpc.reprovision.cloudpc.CloudPcLists;
import dev.cloudpc.reprovision.cloudpc.OperationTracker;
import dev.cloudpc.reprovision.cloudpc.ReprovisionService;
import dev.cloudpc.reprovision.cloudpc.TargetResolver;
import dev.cloudpc.reprovision.cloudpc.UserResetPolicy;
import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.config.UserAgent;
import dev.cloudpc.reprovision.graph.GraphClient;
import dev.cloudpc.reprovision.graph.GraphClientOptions;
import dev.cloudpc.reprovision.graph.GraphTokenOptions;
import dev.cloudpc.reprovision.graph.GraphTokens;
import dev.cloudpc.reprovision.graph.RetryPolicy;
import dev.cloudpc.reprovision.health.HealthHandler;
import dev.cloudpc.reprovision.health.HealthOptions;
import dev.cloudpc.reprovision.http.ApiDefinitionHandler;
import dev.cloudpc.reprovision.http.ApiRoute;
import dev.cloudpc.reprovision.http.ApiRoutes;
import dev.cloudpc.reprovision.http.FunctionKeyGate;
import dev.cloudpc.reprovision.http.ProblemHandler;
import dev.cloudpc.reprovision.http.RequestHygiene;
import dev.cloudpc.reprovision.http.RequestOptions;
import dev.cloudpc.reprovision.http.RequestScopeHandler;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.routes.BulkHandlers;
import dev.cloudpc.reprovision.routes.BulkOptions;
import dev.cloudpc.reprovision.routes.IdempotencyStore;
import dev.cloudpc.reprovision.routes.ListHandlers;
import dev.cloudpc.reprovision.routes.OperationLinks;
import dev.cloudpc.reprovision.routes.ReprovisionHandlers;
import dev.cloudpc.reprovision.routes.StatusHandlers;
import dev.cloudpc.reprovision.store.SharedStore;
import dev.cloudpc.reprovision.store.StoreOptions;
import dev.cloudpc.reprovision.store.Stores;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import dev.cloudpc.reprovision.view.PollView;
import dev.cloudpc.reprovision.view.ViewOptions;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The composition root: builds every component once from the settings, the one router, and serves it on loopback
 * with one HTTP server per event loop. Used by the local host, by the Azure Functions entry point and by tests.
 */
public final class ReprovisionApp {
  public static final int BODY_LIMIT = 16 * 1024;
  /** How long start-up waits for the warm-up fetches (keys, Graph token) before serving anyway. */
  static final Duration WARM_UP_LIMIT = Duration.ofSeconds(3);
  private static final String NETTY_JFR = "io.netty.jfr.enabled";

  /** Where and how to listen; {@code handoverSecret} is set when the Functions entry point forwards to this app. */
  public record Listen(String host, int port, Optional<Secret> handoverSecret, int servers) {
    public static Listen loopback(int port) {
      return new Listen("127.0.0.1", port, Optional.empty(), Math.max(1, Runtime.getRuntime().availableProcessors()));
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final SigningKeys signingKeys;
  private final GraphTokens graphTokens;
  private final Future<?> keyAndTokenFetches;
  private final Router router;
  private int port;
  private final List<String> deployments = new ArrayList<>();

  private ReprovisionApp(Vertx vertx, Settings settings, Optional<Secret> handoverSecret, Telemetry telemetry) {
    this.vertx = vertx;
    this.settings = settings;
    WebClient identityWeb = WebClient.create(vertx, new WebClientOptions().setUserAgent(UserAgent.VALUE)
        .setConnectTimeout(5_000));
    GraphClientOptions graphOptions = GraphClientOptions.from(settings);
    WebClient graphWeb = GraphClient.createWebClient(vertx, graphOptions);
    TokenOptions tokenOptions = TokenOptions.from(settings);
    CallerOptions callerOptions = CallerOptions.from(settings);
    this.signingKeys = SigningKeys.create(vertx, tokenOptions);
    this.graphTokens = new GraphTokens(vertx, identityWeb, GraphTokenOptions.from(settings), telemetry);
    // Started before the rest is built: an event loop runs the fetches' cold code (HTTP client, JSON, keys) on the
    // second core while this thread builds the router (issue 14, cold start).
    this.keyAndTokenFetches = Future.join(signingKeys.ensureKeys(), graphTokens.warmUp());
    SharedStore store = Stores.create(vertx, StoreOptions.from(settings), telemetry);
    AppBudget budget = new AppBudget(vertx, BudgetOptions.from(settings), store);
    GraphClient graph = new GraphClient(vertx, graphWeb, graphOptions, graphTokens,
        RetryPolicy.of(settings.graphMaxAttempts()), budget, telemetry);
    CloudPcDirectory directory = new CloudPcDirectory(graph, settings.graphBaseUrl());
    PollView view = new PollView(vertx, directory, budget, ViewOptions.from(settings), telemetry.metrics());
    TargetResolver resolver = new TargetResolver(new AccessPolicy(callerOptions), directory,
        UserResetPolicy.create(graph, directory, settings.selfServiceIgnoresResetPolicy()), graphTokens, view);
    AuditLog audit = new AuditLog(telemetry.metrics());
    ReprovisionService service = new ReprovisionService(graph, directory, store);
    OperationTracker tracker = new OperationTracker(directory);
    PollLinks pollLinks = new PollLinks(settings.operationUrlSecret());
    OperationLinks links = new OperationLinks(pollLinks, !settings.functionKeyCallersAreAdmins());
    ReprovisionHandlers reprovision = new ReprovisionHandlers(resolver, service, new IdempotencyStore(store), audit,
        links, view::pollInterval);
    StatusHandlers status = new StatusHandlers(resolver, tracker, links, view::pollInterval);
    BulkHandlers bulk = new BulkHandlers(resolver, new BulkReprovisioner(vertx, service, audit), tracker, links,
        BulkOptions.from(settings), view::pollInterval);
    Map<ApiRoute, Handler<RoutingContext>> handlers = new HashMap<>(Map.of(
        ApiRoutes.REPROVISION_MANY, bulk::reprovisionMany,
        ApiRoutes.REPROVISION_ALL_OF_USER, bulk::reprovisionAllOfUser,
        ApiRoutes.BULK_OPERATION, bulk::operation,
        ApiRoutes.REPROVISION, reprovision::reprovision,
        ApiRoutes.REPROVISION_FOR_USER, reprovision::reprovisionForUser,
        ApiRoutes.REPROVISION_MINE, reprovision::reprovisionMine,
        ApiRoutes.STATUS, status::status,
        ApiRoutes.OPERATION, status::operation,
        ApiRoutes.HEALTH, new HealthHandler(HealthOptions.from(settings), signingKeys, graphTokens, store,
            budget),
        ApiRoutes.API_DEFINITION, new ApiDefinitionHandler()));
    ListHandlers lists = new ListHandlers(new CloudPcLists(new AccessPolicy(callerOptions), directory, resolver,
        graphTokens.delegatedUserRoutes()), links);
    handlers.put(ApiRoutes.LIST_MINE, lists::mine);
    handlers.put(ApiRoutes.LIST_OF_USER, lists::ofUser);
    handlers.put(ApiRoutes.LIST_TENANT, lists::tenant);
    RequestOptions requests = RequestOptions.from(settings);
    this.router = router(vertx, new RequestScopeHandler(requests, handoverSecret, telemetry), requests, handlers,
        pollLinks,
        new CallerValidator(new TokenVerifier(signingKeys, tokenOptions), callerOptions));
  }

  private static Router router(Vertx vertx, RequestScopeHandler scopes, RequestOptions requests,
                               Map<ApiRoute, Handler<RoutingContext>> handlers, PollLinks pollLinks,
                               CallerValidator callers) {
    Router router = Router.router(vertx);
    router.route().handler(scopes).handler(new RequestHygiene());
    FunctionKeyGate keyGate = new FunctionKeyGate(requests);
    for (ApiRoute route : ApiRoutes.ALL) {
      // Vert.x wants body handlers ahead of user handlers; the body is at most 16 KiB either way.
      var r = router.route(route.method(), route.path()).handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
      if (!route.anonymous()) {
        r.handler(keyGate);
        if (route == ApiRoutes.OPERATION || route == ApiRoutes.BULK_OPERATION) {
          r.handler(pollLinks);
        }
        r.handler(callers);
      }
      r.handler(handlers.get(route));
    }
    ProblemHandler problems = new ProblemHandler(ctx -> CallerValidator.ifKnown(ctx).map(Caller::auditJson));
    router.route().failureHandler(problems);
    router.errorHandler(404, problems);
    router.errorHandler(405, problems);
    return router;
  }

  /**
   * The process's one Vert.x. Netty 4.2 emits JFR events for its buffers; registering them with JFR cost 100-160 ms on
   * the first request (docs/performance.md, cold start) for events nobody records here, so they are off unless
   * {@code io.netty.jfr.enabled} is set. Must run before Netty's classes load, hence before the first Vert.x.
   */
  public static Vertx createVertx() {
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    return Vertx.vertx();
  }

  /**
   * Starts the app with the process's OpenTelemetry: under Azure Functions the Application Insights agent's when the
   * function app turns it on, else a no-op.
   */
  public static Future<ReprovisionApp> start(Vertx vertx, Settings settings, Listen listen) {
    return start(vertx, settings, listen, GlobalOpenTelemetry.get());
  }

  /** Starts the app recording its spans and metrics through {@code openTelemetry} (the local host's, tests'). */
  public static Future<ReprovisionApp> start(Vertx vertx, Settings settings, Listen listen,
                                             OpenTelemetry openTelemetry) {
    ReprovisionApp app = new ReprovisionApp(vertx, settings, listen.handoverSecret(), Telemetry.of(openTelemetry));
    // Signing keys and the app-only Graph token are fetched (started by the constructor) while the router is built and
    // the servers start, so the first request waits for neither. Start-up waits for these attempts (bounded), so what a request meets does not depend on a race; their
    // failures are never fatal: health reports them and requests fail closed as they would without the warm-up.
    Future<?> warmUp = app.warmUp(app.keyAndTokenFetches);
    Future<ReprovisionApp> deployed = app.deploy(listen, 3);
    return Future.join(deployed, warmUp).transform(ignored -> deployed);
  }

  /** Completes when {@code fetches} ended either way or {@link #WARM_UP_LIMIT} passed; never fails. */
  private Future<Void> warmUp(Future<?> fetches) {
    Promise<Void> done = Promise.promise();
    long timer = vertx.setTimer(WARM_UP_LIMIT.toMillis(), id -> done.tryComplete());
    fetches.onComplete(ignored -> {
      vertx.cancelTimer(timer);
      done.tryComplete();
    });
    return done.future();
  }

  /**
   * One server per event loop, sharing one port (Vert.x balances connections across them). Vert.x shares a port only
   * among the instances of one deployment, and port 0 would give each instance its own, so an ephemeral port is
   * chosen first; if another process takes it in between, another is tried.
   */
  private Future<ReprovisionApp> deploy(Listen listen, int triesLeft) {
    int onPort = listen.port() == 0 ? freePort(listen.host()) : listen.port();
    HttpServerOptions options = new HttpServerOptions().setHost(listen.host()).setPort(onPort)
        .setCompressionSupported(false).setIdleTimeout(300);
    return vertx.deployVerticle(() -> new VerticleBase() {
          @Override
          public Future<?> start() {
            return vertx.createHttpServer(options).requestHandler(router)
                .invalidRequestHandler(ReprovisionApp::invalidRequest).listen();
          }
        }, new DeploymentOptions().setInstances(listen.servers()))
        .map(id -> {
          deployments.add(id);
          port = onPort;
          return this;
        })
        .recover(failure -> listen.port() == 0 && triesLeft > 1 ? deploy(listen, triesLeft - 1)
            : Future.failedFuture(failure));
  }

  /** Requests Netty refused before routing (header or URI too long, malformed): still a problem, then close. */
  private static void invalidRequest(HttpServerRequest request) {
    int status = request.decoderResult().cause() instanceof TooLongHttpHeaderException ? 431
        : request.decoderResult().cause() instanceof TooLongHttpLineException ? 414 : 400;
    Problem problem = Problem.of(status, "malformed-request", "Bad request", "The request could not be read (HTTP "
        + status + "): headers must stay under 8 KiB and the request line under 4 KiB.");
    request.response().setStatusCode(status).putHeader("Content-Type", Problem.CONTENT_TYPE)
        .putHeader("Connection", "close").end(problem.toJson().encode());
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }

  public int port() {
    return port;
  }

  public Router router() {
    return router;
  }

  public Settings settings() {
    return settings;
  }

  /** Identity-provider token requests made so far (benchmarks, tests). */
  public int graphTokenRequests() {
    return graphTokens.requestCount();
  }

  public int signingKeyFetches() {
    return signingKeys.fetchCount();
  }

  public Future<Void> close() {
    signingKeys.close();
    return Future.all(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
