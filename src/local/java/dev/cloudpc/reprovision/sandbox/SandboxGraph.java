package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The fake Microsoft Graph Cloud PC API ({@code beta} and {@code v1.0}) with observability and fault injection for
 * tests. Cloud PC status is computed from timestamps on read, so any number of rebuilds runs without timers.
 * Thread-safe: test code may call it from any thread while requests are served.
 */
public final class SandboxGraph {

  private final URI baseUrl;
  private final SandboxIdentity identity;
  private final CloudPcStore store;
  private final BulkActions bulkActions = new BulkActions();
  private final FaultPlan faults = new FaultPlan();
  private final RequestRecorder recorder = new RequestRecorder();
  private final GraphThrottle throttle;
  private final SandboxUserSettings userSettings = new SandboxUserSettings();
  private final GraphRoutes routes;
  private final GraphPipeline pipeline;

  SandboxGraph(Vertx vertx, URI baseUrl, SandboxIdentity identity, SandboxDirectory directory,
               Duration rebuildTime, Duration latency, GraphLimits limits) {
    this.baseUrl = baseUrl;
    this.identity = identity;
    this.store = new CloudPcStore(directory, rebuildTime);
    this.routes = new GraphRoutes(store, bulkActions, userSettings, baseUrl.toString());
    this.throttle = new GraphThrottle(limits);
    this.pipeline = new GraphPipeline(vertx, routes, faults, recorder, throttle, identity::verifyGraphToken, latency);
  }

  public URI baseUrl() {
    return baseUrl;
  }

  /** Id of the i-th generated benchmark Cloud PC (0-based; valid below {@code extraCloudPcs}). */
  public static String extraCloudPcId(int index) {
    return SandboxSeed.extraCloudPcId(index);
  }

  /** Owner of {@link #extraCloudPcId(int)}: {@code bench-user-<i>@contoso.sandbox}. */
  public static SandboxUser extraUser(int index) {
    return SandboxSeed.extraUser(index);
  }

  /** The seeded users (Adele, Megan); generated benchmark users are not listed. */
  public List<SandboxUser> users() {
    return SandboxSeed.users();
  }

  /** The seeded Cloud PCs as they are now; generated benchmark PCs are not listed. */
  public List<CloudPcView> cloudPcs() {
    Instant now = Instant.now();
    return store.directory().seededCloudPcs().stream().map(pc -> store.view(pc, now)).toList();
  }

  /** @throws NoSuchElementException for an unknown id */
  public CloudPcView cloudPc(String id) {
    return store.view(id).orElseThrow(() -> new NoSuchElementException("No sandbox Cloud PC " + id));
  }

  /** Replaces the token check (default: {@link SandboxIdentity#verifyGraphToken}), e.g. to trust another issuer. */
  public void acceptTokens(Predicate<String> check) {
    pipeline.tokenCheck(Objects.requireNonNull(check, "check"));
  }

  /** Restores the default token check. */
  public void acceptSandboxTokens() {
    pipeline.tokenCheck(identity::verifyGraphToken);
  }

  /** Delay added to every answer (and before a reset); non-blocking. */
  public void setLatency(Duration latency) {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    }
    pipeline.latency(latency);
  }

  public Duration latency() {
    return pipeline.latency();
  }

  /** How long rebuilds started from now on take. */
  public void setRebuildTime(Duration rebuildTime) {
    if (rebuildTime.isNegative()) {
      throw new IllegalArgumentException("rebuildTime must not be negative");
    }
    store.rebuildTime(rebuildTime);
  }

  /** The next rebuild of this PC that starts ends {@code failed} with this status detail. */
  public void failNextRebuild(String cloudPcId, String code, String message) {
    endNextRebuild(cloudPcId, "failed", code, message);
  }

  /**
   * The next rebuild of this PC that starts ends with this remote-action state (any string: done, failed, canceled,
   * notSupported, none, or one Graph may add) and, when {@code code} is not null, this status detail.
   */
  public void endNextRebuild(String cloudPcId, String actionState, String code, String message) {
    store.endNextRebuild(cloudPcId, new SimulatedRebuild.Ending(actionState,
        code == null ? null : new StatusDetail(code, message)));
  }

  /** Shows this status for the PC (e.g. pendingProvision, movingRegion) until reset; null restores the computed one. */
  public void setStatus(String cloudPcId, String status) {
    store.overrideStatus(cloudPcId, status);
  }

  /** The Windows 365 limits enforced from now on (windows start empty). */
  public void setLimits(GraphLimits limits) {
    throttle.limits(Objects.requireNonNull(limits, "limits"));
  }

  public GraphLimits limits() {
    return throttle.limits();
  }

  /** Requests answered 429 by the Windows 365 limits since start or reset (injected faults not counted). */
  public long throttledCount() {
    return throttle.throttledCount();
  }

  /**
   * Shows this as the PC's lastRemoteActionResult (started now) until reset, e.g. another action under way or a state
   * Graph may add; the rebuild history is unchanged.
   */
  public void setLastRemoteAction(String cloudPcId, String actionName, String actionState) {
    store.overrideLastAction(cloudPcId, new JsonObject().put("actionName", actionName).put("actionState", actionState)
        .put("startDateTime", Instant.now().toString()).put("lastUpdatedDateTime", Instant.now().toString())
        .put("cloudPcId", cloudPcId));
  }

  /** Leaves lastRemoteActionResult out of this PC's answers, even when {@code $select} names it, until reset. */
  public void omitLastRemoteActionResult(String cloudPcId) {
    store.overrideLastAction(cloudPcId, new JsonObject());
  }

  /** Items per page of every collection (Cloud PCs, remote-action results, user settings). */
  public void setPageSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("page size must be at least 1");
    }
    routes.pageSize(size);
  }

  /** The tenant's Windows 365 user settings and groups (seeded; changeable by tests until reset). */
  public SandboxUserSettings userSettings() {
    return userSettings;
  }

  /** false: getSupportedCloudPcRemoteActions says "disabled" and reprovision answers 400 BadRequest. */
  public void setReprovisionSupported(String cloudPcId, boolean supported) {
    store.reprovisionSupported(cloudPcId, supported);
  }

  public FaultPlan faults() {
    return faults;
  }

  /** Every request received since start or {@link #reset()}, oldest first. */
  public List<RecordedRequest> requests() {
    return recorder.all();
  }

  /** Recorded requests with this method ({@code "*"} for any) whose whole path matches the regex. */
  public long count(String method, String pathRegex) {
    return recorder.count(method, pathRegex);
  }

  /** Turn recording off for long benchmarks (a recorded request keeps its token and body in memory). */
  public void recordRequests(boolean enabled) {
    recorder.enabled(enabled);
  }

  /** Rebuilds actually started on this PC, by any route (admin, me, users, bulk), since start or reset. */
  public int executedReprovisions(String cloudPcId) {
    return store.actions(cloudPcId).size();
  }

  /**
   * Back to the state after start: recordings, faults, queued rebuild endings, status overrides, unsupported flags,
   * bulk actions, rebuild history and the throttling windows are cleared, so every PC is {@code provisioned} again; page size and user
   * settings return to the seeded ones. Latency, rebuild time and the token check stay as set.
   */
  public void reset() {
    userSettings.reset();
    routes.pageSize(GraphRoutes.DEFAULT_PAGE_SIZE);
    recorder.clear();
    faults.clear();
    store.reset();
    bulkActions.clear();
    throttle.reset();
  }

  Handler<HttpServerRequest> requestHandler() {
    return pipeline;
  }
}
