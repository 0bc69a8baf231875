package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.auth.AccessPolicy;
import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.auth.CallerValidator;
import dev.cloudpc.reprovision.auth.PollLinks;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.graph.GraphTokens;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;

/**
 * Decides which Cloud PC a request may touch, before anything is changed: the caller's rights for the route, and for
 * the users and me routes that the PC belongs to that user (decided by {@code oid}, compared through the UPN Graph
 * returns for it — never by the token's mutable {@code upn}/{@code preferred_username}).
 *
 * <p>Credentials: Graph documents {@code /me/cloudPCs/{id}/reprovision} and {@code /users/{id}/cloudPCs/{id}/
 * reprovision} as APIs for the signed-in user, so with {@code GRAPH_CREDENTIAL=on-behalf-of} only a user acting on
 * their <em>own</em> PC goes through Graph's {@code /me} route with the exchanged token; an admin acting for someone
 * else, and every other call, uses the app-only credential on the admin route.
 *
 * <p>A user acting for themselves (me, users and users-all routes without the admin role) must also be allowed to
 * reset by the tenant's Windows 365 user setting ({@link UserResetPolicy}); admins are not affected.
 */
public final class TargetResolver {
  private final AccessPolicy policy;
  private final CloudPcDirectory directory;
  private final UserResetPolicy resetPolicy;
  private final boolean delegated;
  private final CloudPcSource reads;

  /** @param reads where status reads and polls get the PC (a view that spares Graph's Get budget) */
  public TargetResolver(AccessPolicy policy, CloudPcDirectory directory, UserResetPolicy resetPolicy,
                        GraphTokens tokens, CloudPcSource reads) {
    this.policy = policy;
    this.directory = directory;
    this.resetPolicy = resetPolicy;
    this.delegated = tokens.delegatedUserRoutes();
    this.reads = reads;
  }

  /**
   * Any Cloud PC in the tenant: admins only. One Graph read (the PC with its last remote action) precedes the POST,
   * so two round trips lead to the answer and one Get Cloud PC is spent on the decision.
   */
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
    if (actingForSelf && delegated && caller.isUser()) {
      // userId was shown to be the caller: Graph's /me route with the caller's own token.
      return userMustBeCaller(userId, caller, scope)
          .compose(v -> resetPolicy.requireResetAllowed(caller.objectId(), caller, cloudPcId, scope))
          .compose(v -> delegatedTarget("users", cloudPcId, caller, scope));
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
          return (actingForSelf ? resetPolicy.requireResetAllowed(caller.objectId(), caller, cloudPcId, scope)
              : Future.<Void>succeededFuture())
              .map(v -> new ReprovisionTarget("users", pc, GraphCall.post(adminPath(cloudPcId), new JsonObject()),
                  false));
        }));
  }

  /** The signed-in user's own Cloud PC. */
  public Future<ReprovisionTarget> me(String cloudPcId, Caller caller, RequestScope scope) {
    policy.requireSelfUser(caller);
    if (delegated) {
      return resetPolicy.requireResetAllowed(caller.objectId(), caller, cloudPcId, scope)
          .compose(v -> delegatedTarget("me", cloudPcId, caller, scope));
    }
    return directory.user(caller.objectId(), scope)
        .compose(me -> directory.cloudPc(GraphCall.cloudPc(cloudPcId), cloudPcId, scope).compose(pc ->
            pc.assignedTo(me.userPrincipalName())
                ? resetPolicy.requireResetAllowed(caller.objectId(), caller, cloudPcId, scope)
                    .map(v -> new ReprovisionTarget("me", pc, GraphCall.post(adminPath(cloudPcId),
                        new JsonObject()), false))
                : Future.failedFuture(AccessPolicy.notYours("Cloud PC " + cloudPcId + " is not assigned to you."))));
  }

  /** Every Cloud PC of {@code userId}: admins for anyone, users only for themselves (app-only Graph calls). */
  public Future<List<ReprovisionTarget>> allOfUser(String userId, Caller caller, RequestScope scope) {
    policy.requireAdminOrSelfUser(caller);
    boolean actingForSelf = !policy.isAdmin(caller);
    return userMustBeCaller(actingForSelf ? userId : null, caller, scope)
        .compose(v -> actingForSelf ? resetPolicy.requireResetAllowed(caller.objectId(), caller, "*", scope)
            : Future.<Void>succeededFuture())
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
   * is needed, since the platform may poll without the caller's token; otherwise as {@link #readable}. The PC as read
   * at or after {@code notBefore}.
   */
  public Future<CloudPc> pollable(String cloudPcId, RoutingContext ctx, Instant notBefore, RequestScope scope) {
    return PollLinks.isPoller(ctx) ? reads.cloudPc(cloudPcId, notBefore, scope)
        : readable(cloudPcId, CallerValidator.of(ctx), notBefore, scope);
  }

  /** Reading a PC's status: admins any, users their own; the PC as read at or after {@code notBefore}. */
  public Future<CloudPc> readable(String cloudPcId, Caller caller, Instant notBefore, RequestScope scope) {
    policy.requireAdminOrSelfUser(caller);
    if (policy.isAdmin(caller)) {
      return reads.cloudPc(cloudPcId, notBefore, scope);
    }
    // The caller's own UPN first: a user probing ids causes one cached lookup, not a Graph read per id.
    return directory.user(caller.objectId(), scope)
        .compose(me -> reads.cloudPc(cloudPcId, notBefore, scope).compose(found ->
            found.assignedTo(me.userPrincipalName()) ? Future.succeededFuture(found)
                : Future.failedFuture(AccessPolicy.notYours("Cloud PC " + cloudPcId + " is not assigned to you."))));
  }

  /** Graph's {@code /me/cloudPCs/{id}} with the caller's exchanged token: Graph itself shows only their own PCs. */
  private Future<ReprovisionTarget> delegatedTarget(String route, String cloudPcId, Caller caller,
                                                    RequestScope scope) {
    String pcPath = "/me/cloudPCs/" + GraphCall.segment(cloudPcId);
    GraphCall read = GraphCall.get(pcPath).onBehalfOf(caller);
    return directory.cloudPc(read, cloudPcId, scope).map(pc -> new ReprovisionTarget(route, pc,
        GraphCall.post(pcPath + "/reprovision", new JsonObject()).onBehalfOf(caller), true));
  }

  /** For users acting for themselves, {@code userId} must be their own object id or resolve to it. */
  Future<Void> userMustBeCaller(String userId, Caller caller, RequestScope scope) {
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
