package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.graph.GraphClient;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads from Graph that decisions rest on: a Cloud PC, its remote-action history, what actions it supports, and a
 * user's UPN (cached briefly: ownership compares the PC's {@code userPrincipalName} with the UPN Graph gives for the
 * caller's immutable {@code oid}).
 *
 * <p>Cloud PC reads always go to beta with {@code Prefer: include-unknown-enum-members}, whatever
 * {@code GRAPH_API_VERSION} says: v1.0's cloudPC has no {@code status}/{@code statusDetail} and v1.0 has no
 * {@code retrieveCloudPcRemoteActionResults} or {@code getSupportedCloudPcRemoteActions}
 * (api-reference/v1.0/resources/cloudpc.md), so a guard reading v1.0 would be blind.
 */
public final class CloudPcDirectory implements CloudPcSource {
  private static final Duration USER_TTL = Duration.ofMinutes(5);
  private static final int USER_CACHE_MAX = 10_000;
  /** Where Graph does not offer the remote-action functions it answers one of these; the PC's status remains. */
  private static final Set<Integer> NOT_OFFERED = Set.of(400, 404, 501);

  private final GraphClient graph;
  private final GraphPages pages;
  private final ConcurrentHashMap<String, CachedUser> users = new ConcurrentHashMap<>();

  public CloudPcDirectory(GraphClient graph, URI graphBase) {
    this.graph = graph;
    this.pages = new GraphPages(graph, graphBase);
  }

  public record DirectoryUser(String id, String userPrincipalName) {
  }

  GraphPages pages() {
    return pages;
  }

  /** One Get Cloud PC: the properties of {@link CloudPc#SELECT}, its last remote action included. */
  public Future<CloudPc> cloudPc(GraphCall read, String cloudPcId, RequestScope scope) {
    GraphCall call = read.cloudPcRead().selecting(CloudPc.SELECT);
    return graph.send(call, scope).compose(response -> {
      if (response.status() == 404) {
        return Future.failedFuture(Problem.notFound("cloud-pc-not-found", "No Cloud PC with id " + cloudPcId
                + " exists in this tenant" + (read.onBehalfOf().isPresent() ? " for you" : "") + ".")
            .with("graphRequestId", response.requestId()).with("graphCode", response.errorCode()).exception());
      }
      return Future.succeededFuture().map(v -> CloudPc.from(GraphPages.ok(response, call, "reading Cloud PC "
          + cloudPcId), response.sentAt()));
    });
  }

  /** The Cloud PCs assigned to a user, by UPN (an OData string literal, quotes doubled), every page of them. */
  public Future<List<CloudPc>> cloudPcsOf(String userPrincipalName, RequestScope scope) {
    String filter = "userPrincipalName eq '" + userPrincipalName.replace("'", "''") + "'";
    GraphCall call = GraphCall.get(GraphCall.CLOUD_PCS + "?$filter=" + GraphCall.segment(filter)).cloudPcRead()
        .selecting(CloudPc.SELECT);
    Instant readAt = Instant.now();
    return pages.all(call, scope, "listing the Cloud PCs of " + userPrincipalName, Set.of())
        .map(items -> items.stream().map(item -> CloudPc.from(item, readAt))
            .filter(pc -> pc.assignedTo(userPrincipalName)).toList());
  }

  /** A fresh Get Cloud PC: whatever {@code notBefore} asks, this read is newer. */
  @Override
  public Future<CloudPc> cloudPc(String cloudPcId, Instant notBefore, RequestScope scope) {
    return cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope);
  }

  /** One page of the tenant's Cloud PCs and the call for the next, if any. */
  public record CloudPcPage(List<CloudPc> cloudPcs, Optional<GraphCall> next) {
  }

  /**
   * A page of the tenant's Cloud PCs (beta api-reference/beta/api/virtualendpoint-list-cloudpcs.md: {@code $select}
   * supported) with the properties decisions rest on; the first page when {@code next} is empty. One List Cloud PCs
   * request; each PC carries the time its page was read.
   */
  public Future<CloudPcPage> tenantPage(Optional<GraphCall> next, RequestScope scope) {
    GraphCall call = next.orElseGet(() -> GraphCall.get(GraphCall.CLOUD_PCS).cloudPcRead().selecting(CloudPc.SELECT));
    return pages.one(call, scope, "listing the tenant's Cloud PCs", Set.of())
        .map(page -> new CloudPcPage(page.items().stream().map(item -> CloudPc.from(item, page.sentAt())).toList(),
            page.next()));
  }

  /**
   * The newest Reprovision entry of the PC's remote-action results (beta
   * api-reference/beta/api/cloudpc-retrievecloudpcremoteactionresults.md, every page), for a poll whose reprovision is
   * hidden behind a later remote action in {@code lastRemoteActionResult}. Where Graph does not offer the function
   * (404, 400, 501) there is none: a poll then reports the outcome as not yet known — never as success, and the guard
   * never reads this (it decides on the PC's own read and refuses what that cannot settle).
   */
  public Future<Optional<RemoteAction>> lastReprovision(String cloudPcId, RequestScope scope) {
    GraphCall call = GraphCall.get(GraphCall.CLOUD_PCS + "/" + GraphCall.segment(cloudPcId)
        + "/retrieveCloudPcRemoteActionResults").cloudPcRead();
    return pages.all(call, scope, "reading Cloud PC " + cloudPcId + "'s remote actions", NOT_OFFERED)
        .map(items -> items.stream()
            .map(RemoteAction::from)
            .filter(RemoteAction::isReprovision)
            .filter(a -> a.startDateTime() != null)
            .max(Comparator.comparing(RemoteAction::startDateTime)));
  }

  /**
   * Whether Graph lists Reprovision as enabled for the PC (preflight for dry runs; beta
   * api-reference/beta/api/cloudpc-getsupportedcloudpcremoteactions.md, every page).
   */
  public Future<Boolean> reprovisionSupported(String cloudPcId, RequestScope scope) {
    GraphCall call = GraphCall.get(GraphCall.CLOUD_PCS + "/" + GraphCall.segment(cloudPcId)
        + "/getSupportedCloudPcRemoteActions").cloudPcRead();
    return pages.all(call, scope, "reading Cloud PC " + cloudPcId + "'s supported actions", Set.of())
        .map(items -> items.stream()
            .anyMatch(a -> "Reprovision".equalsIgnoreCase(a.getString("actionName"))
                && "enabled".equalsIgnoreCase(a.getString("actionCapability"))));
  }

  /** A user by object id or UPN. */
  public Future<DirectoryUser> user(String idOrUpn, RequestScope scope) {
    String key = idOrUpn.toLowerCase(Locale.ROOT);
    CachedUser cached = users.get(key);
    if (cached != null && !cached.expired() && !cached.user.failed()) {
      return cached.user;
    }
    GraphCall call = GraphCall.get("/users/" + GraphCall.segment(idOrUpn) + "?$select=id,userPrincipalName");
    Future<DirectoryUser> lookup = graph.send(call, scope).compose(response -> {
      if (response.status() == 404) {
        return Future.failedFuture(Problem.notFound("user-not-found", "No user '" + idOrUpn
            + "' exists in this tenant.").with("graphRequestId", response.requestId()).exception());
      }
      return Future.succeededFuture().map(v -> {
        JsonObject body = GraphPages.ok(response, call, "reading user " + idOrUpn);
        return new DirectoryUser(body.getString("id"), body.getString("userPrincipalName"));
      });
    });
    if (users.size() >= USER_CACHE_MAX) {
      users.clear(); // crude bound: entries are cheap to refetch and only live minutes anyway
    }
    users.put(key, new CachedUser(lookup, System.nanoTime() + USER_TTL.toNanos()));
    return lookup;
  }

  private record CachedUser(Future<DirectoryUser> user, long expiresAtNanos) {
    boolean expired() {
      return System.nanoTime() - expiresAtNanos > 0;
    }
  }
}
