package dev.cloudpc.reprovision.reprovision;

import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.graph.GraphClient;
import dev.cloudpc.reprovision.graph.GraphErrors;
import dev.cloudpc.reprovision.graph.GraphResponse;
import dev.cloudpc.reprovision.http.Problem;
import dev.cloudpc.reprovision.http.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads from Graph that decisions rest on: a Cloud PC, its remote-action history, what actions it supports, and a
 * user's UPN (cached briefly: ownership compares the PC's {@code userPrincipalName} with the UPN Graph gives for the
 * caller's immutable {@code oid}).
 */
public final class CloudPcDirectory {
  private static final Duration USER_TTL = Duration.ofMinutes(5);
  private static final int USER_CACHE_MAX = 10_000;
  private static final Set<Integer> NOT_OFFERED = Set.of(400, 404, 501);

  private final GraphClient graph;
  private final boolean beta;
  private final ConcurrentHashMap<String, CachedUser> users = new ConcurrentHashMap<>();

  public CloudPcDirectory(GraphClient graph, String apiVersion) {
    this.graph = graph;
    this.beta = "beta".equals(apiVersion);
  }

  public record DirectoryUser(String id, String userPrincipalName) {
  }

  public Future<CloudPc> cloudPc(GraphCall read, String cloudPcId, RequestScope scope) {
    return graph.send(read, scope).compose(response -> {
      if (response.status() == 404) {
        return Future.failedFuture(Problem.notFound("cloud-pc-not-found", "No Cloud PC with id " + cloudPcId
                + " exists in this tenant" + (read.onBehalfOf().isPresent() ? " for you" : "") + ".")
            .with("graphRequestId", response.requestId()).with("graphCode", response.errorCode()).exception());
      }
      return ok(response, read, "reading Cloud PC " + cloudPcId).map(CloudPc::from);
    });
  }

  /** The Cloud PCs assigned to a user, by UPN (an OData string literal, quotes doubled). */
  public Future<List<CloudPc>> cloudPcsOf(String userPrincipalName, RequestScope scope) {
    String filter = "userPrincipalName eq '" + userPrincipalName.replace("'", "''") + "'";
    GraphCall call = GraphCall.get(GraphCall.CLOUD_PCS + "?$filter=" + GraphCall.segment(filter));
    return graph.send(call, scope).compose(response -> ok(response, call, "listing the Cloud PCs of "
            + userPrincipalName))
        .map(body -> body.getJsonArray("value", new JsonArray()).stream()
            .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
            .map(CloudPc::from)
            .filter(pc -> pc.assignedTo(userPrincipalName))
            .toList());
  }

  /**
   * The newest Reprovision entry of the PC's remote-action results (beta only; empty on v1.0). Where Graph does not
   * offer that function (404, 400, 501) the PC's own status is the only signal, and callers fall back to it; any
   * other failure fails closed.
   */
  public Future<Optional<RemoteAction>> lastReprovision(String cloudPcId, RequestScope scope) {
    if (!beta) {
      return Future.succeededFuture(Optional.empty());
    }
    GraphCall call = GraphCall.get(GraphCall.CLOUD_PCS + "/" + cloudPcId + "/retrieveCloudPcRemoteActionResults");
    return graph.send(call, scope)
        .compose(response -> NOT_OFFERED.contains(response.status()) ? Future.succeededFuture(new JsonObject())
            : ok(response, call, "reading Cloud PC " + cloudPcId + "'s remote actions"))
        .map(body -> body.getJsonArray("value", new JsonArray()).stream()
            .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
            .map(RemoteAction::from)
            .filter(RemoteAction::isReprovision)
            .filter(a -> a.startDateTime() != null)
            .max(Comparator.comparing(RemoteAction::startDateTime)));
  }

  /** Whether Graph lists Reprovision as enabled for the PC (preflight for dry runs). */
  public Future<Boolean> reprovisionSupported(String cloudPcId, RequestScope scope) {
    GraphCall call = GraphCall.get(GraphCall.CLOUD_PCS + "/" + cloudPcId + "/getSupportedCloudPcRemoteActions");
    return graph.send(call, scope).compose(response -> ok(response, call, "reading Cloud PC " + cloudPcId
            + "'s supported actions"))
        .map(body -> body.getJsonArray("value", new JsonArray()).stream()
            .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
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
      return ok(response, call, "reading user " + idOrUpn)
          .map(body -> new DirectoryUser(body.getString("id"), body.getString("userPrincipalName")));
    });
    if (users.size() >= USER_CACHE_MAX) {
      users.clear(); // crude bound: entries are cheap to refetch and only live minutes anyway
    }
    users.put(key, new CachedUser(lookup, System.nanoTime() + USER_TTL.toNanos()));
    return lookup;
  }

  private static Future<JsonObject> ok(GraphResponse response, GraphCall call, String what) {
    if (response.ok()) {
      return Future.succeededFuture(Objects.requireNonNullElseGet(response.body(), JsonObject::new));
    }
    return Future.failedFuture(GraphErrors.problem(response, call.onBehalfOf().isPresent(), what).exception());
  }

  private record CachedUser(Future<DirectoryUser> user, long expiresAtNanos) {
    boolean expired() {
      return System.nanoTime() - expiresAtNanos > 0;
    }
  }
}
