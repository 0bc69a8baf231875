package dev.cloudpc.reprovision.reprovision;

import dev.cloudpc.reprovision.auth.AccessPolicy;
import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.auth.CallerValidator;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.graph.GraphTokens;
import dev.cloudpc.reprovision.http.PollLinks;
import dev.cloudpc.reprovision.http.Problem;
import dev.cloudpc.reprovision.http.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Decides which Cloud PC a request may touch, before anything is changed: the caller's rights for the route, and for
 * the users and me routes that the PC belongs to that user (decided by {@code oid}, compared through the UPN Graph
 * returns for it — never by the token's mutable {@code upn}/{@code preferred_username}).
 */
public final class TargetResolver {
  private final AccessPolicy policy;
  private final CloudPcDirectory directory;
  private final boolean delegated;

  public TargetResolver(AccessPolicy policy, CloudPcDirectory directory, GraphTokens tokens) {
    this.policy = policy;
    this.directory = directory;
    this.delegated = tokens.delegatedUserRoutes();
  }

  /** Any Cloud PC in the tenant: admins only. */
  public Future<ReprovisionTarget> admin(String cloudPcId, ReprovisionOptions options, Caller caller,
                                         RequestScope scope) {
    policy.requireAdmin(caller);
    return directory.cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope)
        .map(pc -> new ReprovisionTarget("admin", pc, GraphCall.post(adminPath(cloudPcId), options.graphBody()),
            false));
  }

  /** A Cloud PC that must belong to {@code userId}: admins for anyone, users only for themselves. */
  public Future<ReprovisionTarget> forUser(String userId, String cloudPcId, Caller caller, RequestScope scope) {
    policy.requireAdminOrSelfUser(caller);
    boolean actingForSelf = !policy.isAdmin(caller);
    if (delegated && caller.isUser()) {
      // Graph enforces the user's rights on its own /users/{id} route with the exchanged token.
      return userMustBeCaller(actingForSelf ? userId : null, caller, scope).compose(v -> delegatedTarget("users",
          cloudPcId, "/users/" + GraphCall.segment(userId) + "/cloudPCs/" + cloudPcId, caller, scope));
    }
    return userMustBeCaller(actingForSelf ? userId : null, caller, scope)
        .compose(v -> directory.user(userId, scope))
        .compose(user -> directory.cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope).compose(pc -> {
          if (!pc.assignedTo(user.userPrincipalName())) {
            return Future.failedFuture(actingForSelf
                ? AccessPolicy.notYours("Cloud PC " + cloudPcId + " is not assigned to you.")
                : Problem.notFound("cloud-pc-not-assigned", "Cloud PC " + cloudPcId + " is not assigned to user "
                    + userId + "; check the user and the Cloud PC id.").exception());
          }
          return Future.succeededFuture(new ReprovisionTarget("users", pc,
              GraphCall.post(adminPath(cloudPcId), new JsonObject()), false));
        }));
  }

  /** The signed-in user's own Cloud PC. */
  public Future<ReprovisionTarget> me(String cloudPcId, Caller caller, RequestScope scope) {
    policy.requireSelfUser(caller);
    if (delegated) {
      return delegatedTarget("me", cloudPcId, "/me/cloudPCs/" + cloudPcId, caller, scope);
    }
    return directory.user(caller.objectId(), scope)
        .compose(me -> directory.cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope).compose(pc ->
            pc.assignedTo(me.userPrincipalName())
                ? Future.succeededFuture(new ReprovisionTarget("me", pc,
                    GraphCall.post(adminPath(cloudPcId), new JsonObject()), false))
                : Future.failedFuture(AccessPolicy.notYours("Cloud PC " + cloudPcId + " is not assigned to you."))));
  }

  /** Every Cloud PC of {@code userId}: admins for anyone, users only for themselves (app-only Graph calls). */
  public Future<List<ReprovisionTarget>> allOfUser(String userId, Caller caller, RequestScope scope) {
    policy.requireAdminOrSelfUser(caller);
    return userMustBeCaller(policy.isAdmin(caller) ? null : userId, caller, scope)
        .compose(v -> directory.user(userId, scope))
        .compose(user -> directory.cloudPcsOf(user.userPrincipalName(), scope))
        .map(pcs -> pcs.stream().map(pc -> new ReprovisionTarget("users-all", pc,
            GraphCall.post(adminPath(pc.id()), new JsonObject()), false)).toList());
  }

  public void requireAdmin(Caller caller) {
    policy.requireAdmin(caller);
  }

  /**
   * Reading an operation's progress: with a valid signed polling link (which names this PC's operation) no caller
   * is needed, since the platform may poll without the caller's token; otherwise as {@link #readable}.
   */
  public Future<CloudPc> pollable(String cloudPcId, RoutingContext ctx, RequestScope scope) {
    return PollLinks.isPoller(ctx) ? directory.cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope)
        : readable(cloudPcId, CallerValidator.of(ctx), scope);
  }

  /** Reading a PC's status: admins any, users their own. */
  public Future<CloudPc> readable(String cloudPcId, Caller caller, RequestScope scope) {
    policy.requireAdminOrSelfUser(caller);
    if (policy.isAdmin(caller)) {
      return directory.cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope);
    }
    // The caller's own UPN first: a user probing ids causes one cached lookup, not a Graph read per id.
    return directory.user(caller.objectId(), scope)
        .compose(me -> directory.cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope).compose(found ->
            found.assignedTo(me.userPrincipalName()) ? Future.succeededFuture(found)
                : Future.failedFuture(AccessPolicy.notYours("Cloud PC " + cloudPcId + " is not assigned to you."))));
  }

  private Future<ReprovisionTarget> delegatedTarget(String route, String cloudPcId, String pcPath, Caller caller,
                                                    RequestScope scope) {
    GraphCall read = GraphCall.get(pcPath).onBehalfOf(caller);
    return directory.cloudPc(read, cloudPcId, scope).map(pc -> new ReprovisionTarget(route, pc,
        GraphCall.post(pcPath + "/reprovision", new JsonObject()).onBehalfOf(caller), true));
  }

  /** For users acting for themselves, {@code userId} must be their own object id or resolve to it. */
  private Future<Void> userMustBeCaller(String userId, Caller caller, RequestScope scope) {
    if (userId == null || userId.equalsIgnoreCase(caller.objectId())) {
      return Future.succeededFuture();
    }
    if (Settings.GUID.matcher(userId).matches()) {
      return Future.failedFuture(notSelf(userId));
    }
    return directory.user(userId, scope).compose(user -> caller.objectId().equalsIgnoreCase(user.id())
        ? Future.succeededFuture() : Future.failedFuture(notSelf(userId)));
  }

  private static RuntimeException notSelf(String userId) {
    return AccessPolicy.notYours("You may act only for yourself, not for user " + userId + ".");
  }

  static String adminPath(String cloudPcId) {
    return GraphCall.CLOUD_PCS + "/" + cloudPcId + "/reprovision";
  }
}
