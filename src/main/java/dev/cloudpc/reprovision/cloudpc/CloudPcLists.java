package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.auth.AccessPolicy;
import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The Cloud PCs a caller may pick from (a connector's pickers, a flow's loop): their own, a user's, or the tenant's.
 * Who may list what follows the reprovision routes — {@link AccessPolicy} for rights, ownership by the caller's
 * {@code oid} through the UPN Graph gives for it, as {@link TargetResolver} decides it.
 *
 * <p>Every read is one of Graph's List Cloud PCs requests, which Windows 365 limits to 90 a minute per app
 * (microsoft-graph-docs-contrib, concepts/includes/throttling-windows-365.md). So the tenant list reads exactly one
 * Graph page per call and hands the caller a token for the next one; a tenant is never read whole. A user's Cloud PCs
 * are few: those lists read every page of a {@code userPrincipalName} filter (usually one request).
 */
public final class CloudPcLists {
  /** Most Cloud PCs asked of Graph per page of the tenant list ({@code $top}). */
  public static final int MAX_PAGE_SIZE = 100;
  /** user-list-cloudpcs.md: GET /me/cloudPCs returns only some properties, no userPrincipalName among them. */
  private static final String MY_SELECT = "id,displayName,status";
  private static final String PAGE_PREFIX = "/" + GraphCall.BETA + GraphCall.CLOUD_PCS + "?";
  private static final int MAX_TOKEN_LENGTH = 4096;

  private final AccessPolicy policy;
  private final CloudPcDirectory directory;
  private final TargetResolver resolver;
  private final boolean delegated;

  /**
   * @param delegated GRAPH_CREDENTIAL=on-behalf-of: a user's own list comes from Graph's {@code /me/cloudPCs} with
   *                  their exchanged token, as their own reprovisions go to Graph's {@code /me} routes
   */
  public CloudPcLists(AccessPolicy policy, CloudPcDirectory directory, TargetResolver resolver, boolean delegated) {
    this.policy = policy;
    this.directory = directory;
    this.resolver = resolver;
    this.delegated = delegated;
  }

  /** Some Cloud PCs and, when Graph has more, the opaque token for the next page. */
  public record Page(List<CloudPc> cloudPcs, Optional<String> nextPageToken) {
  }

  /**
   * The tenant list's request: an exact user (Graph filters), text the display name or UPN must contain (applied to
   * each page, since Graph documents no such filter for Cloud PCs), the page size, or the token of a page to go on
   * from (which carries the user filter and page size of the listing it continues).
   */
  public record TenantQuery(Optional<String> userPrincipalName, Optional<String> search, int top,
                            Optional<String> pageToken) {
  }

  /** The signed-in user's own Cloud PCs. */
  public Future<Page> mine(Caller caller, RequestScope scope) {
    policy.requireSelfUser(caller);
    if (!delegated) {
      return directory.user(caller.objectId(), scope)
          .compose(me -> directory.cloudPcsOf(me.userPrincipalName(), scope))
          .map(CloudPcLists::whole);
    }
    GraphCall call = GraphCall.get("/me/cloudPCs").onBehalfOf(caller).cloudPcRead().selecting(MY_SELECT);
    Instant readAt = Instant.now();
    Future<List<JsonObject>> listed = directory.pages().all(call, scope, "listing your Cloud PCs", Set.of());
    Future<CloudPcDirectory.DirectoryUser> me = directory.user(caller.objectId(), scope);
    return Future.join(listed, me).transform(done -> listed.failed() ? Future.failedFuture(listed.cause())
        : me.failed() ? Future.failedFuture(me.cause())
        : Future.succeededFuture(whole(listed.result().stream()
            .map(json -> CloudPc.from(json.copy().put("userPrincipalName", me.result().userPrincipalName()), readAt))
            .toList())));
  }

  /** A user's Cloud PCs: admins for anyone, users only for themselves. */
  public Future<Page> ofUser(String userId, Caller caller, RequestScope scope) {
    policy.requireAdminOrSelfUser(caller);
    return resolver.userMustBeCaller(policy.isAdmin(caller) ? null : userId, caller, scope)
        .compose(v -> directory.user(userId, scope))
        .compose(user -> directory.cloudPcsOf(user.userPrincipalName(), scope))
        .map(CloudPcLists::whole);
  }

  /** One Graph page of the tenant's Cloud PCs: admins only. */
  public Future<Page> tenant(TenantQuery query, Caller caller, RequestScope scope) {
    policy.requireAdminToListTenant(caller);
    GraphCall call = query.pageToken().map(CloudPcLists::fromToken).orElseGet(() -> firstPage(query));
    Predicate<CloudPc> matches = query.search().map(CloudPcLists::containing).orElse(pc -> true);
    return directory.tenantPage(Optional.of(call), scope) // the first page of this query, or the one a token names
        .map(page -> new Page(page.cloudPcs().stream().filter(matches).toList(), page.next().map(CloudPcLists::token)));
  }

  private static GraphCall firstPage(TenantQuery query) {
    String filter = query.userPrincipalName()
        .map(upn -> "&$filter=" + GraphCall.segment("userPrincipalName eq '" + upn.replace("'", "''") + "'"))
        .orElse("");
    return GraphCall.get(GraphCall.CLOUD_PCS + "?$top=" + query.top() + filter).cloudPcRead()
        .selecting(CloudPc.SELECT);
  }

  private static Predicate<CloudPc> containing(String text) {
    String wanted = text.toLowerCase(Locale.ROOT);
    return pc -> contains(pc.displayName(), wanted) || contains(pc.userPrincipalName(), wanted);
  }

  private static boolean contains(String value, String wanted) {
    return value != null && value.toLowerCase(Locale.ROOT).contains(wanted);
  }

  private static Page whole(List<CloudPc> cloudPcs) {
    return new Page(cloudPcs, Optional.empty());
  }

  /**
   * The next page's token: Graph's next link below the Graph base (opaque to us and to the caller, as graph/paging.md
   * asks), base64url-encoded. Graph's Cloud PC reads are beta; a link elsewhere is not handed out.
   */
  private static String token(GraphCall next) {
    String link = "/" + next.apiVersion().orElse("") + next.path();
    if (!link.startsWith(PAGE_PREFIX)) {
      throw Problem.of(502, "graph-bad-next-link", "Bad gateway", "Graph's @odata.nextLink listing the tenant's "
          + "Cloud PCs does not continue that list; it was not followed.").exception();
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(link.getBytes(StandardCharsets.UTF_8));
  }

  /** The page a token names; only a continuation of the tenant's Cloud PC list is accepted. */
  private static GraphCall fromToken(String token) {
    String link;
    try {
      link = token.length() > MAX_TOKEN_LENGTH ? ""
          : new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      link = "";
    }
    if (!link.startsWith(PAGE_PREFIX) || link.chars().anyMatch(c -> c <= ' ' || c == '#' || c >= 0x7f)) {
      throw Problem.badRequest("invalid-page-token", "pageToken is not one this API handed out; follow the "
          + "nextLink of a previous answer as it is, or start again without pageToken.")
          .with("field", "pageToken").exception();
    }
    return GraphCall.get(link.substring(("/" + GraphCall.BETA).length())).cloudPcRead();
  }
}
