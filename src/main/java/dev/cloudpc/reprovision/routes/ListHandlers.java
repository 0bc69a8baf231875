package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.auth.CallerValidator;
import dev.cloudpc.reprovision.cloudpc.CloudPc;
import dev.cloudpc.reprovision.cloudpc.CloudPcLists;
import dev.cloudpc.reprovision.http.Responses;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The lists connectors' pickers and flows choose Cloud PCs from: flat JSON, {@code {"value": [...], "nextLink"?}} —
 * the shape Power Platform's {@code x-ms-dynamic-values} and {@code x-ms-pageable} read.
 */
public final class ListHandlers {
  static final String TENANT_PATH = "/api/cloudpcs";
  private static final int SEARCH_MAX = 100;

  private final CloudPcLists lists;
  private final OperationLinks links;

  public ListHandlers(CloudPcLists lists, OperationLinks links) {
    this.lists = lists;
    this.links = links;
  }

  /** GET /api/me/cloudpcs. */
  public void mine(RoutingContext ctx) {
    answer(ctx, lists.mine(CallerValidator.of(ctx), RequestScope.of(ctx)), Optional.empty());
  }

  /** GET /api/users/{userId}/cloudpcs. */
  public void ofUser(RoutingContext ctx) {
    String userId = PathParams.userId(ctx);
    answer(ctx, lists.ofUser(userId, CallerValidator.of(ctx), RequestScope.of(ctx)), Optional.empty());
  }

  /** GET /api/cloudpcs?search=&userPrincipalName=&top=&pageToken=. */
  public void tenant(RoutingContext ctx) {
    Optional<String> search = PathParams.queryText(ctx, "search", SEARCH_MAX);
    Optional<String> pageToken = PathParams.queryText(ctx, "pageToken", 4096);
    Optional<String> upn = PathParams.queryUpn(ctx, "userPrincipalName");
    int top = PathParams.queryNumber(ctx, "top", 1, CloudPcLists.MAX_PAGE_SIZE, CloudPcLists.MAX_PAGE_SIZE);
    if (pageToken.isPresent() && (upn.isPresent() || ctx.request().getParam("top") != null)) {
      throw Problem.badRequest("invalid-query-parameter", "pageToken continues a listing and carries its "
          + "userPrincipalName and top; send it with search only, as the nextLink of the previous page does.")
          .with("field", "pageToken").exception();
    }
    answer(ctx, lists.tenant(new CloudPcLists.TenantQuery(upn, search, top, pageToken), CallerValidator.of(ctx),
        RequestScope.of(ctx)), search);
  }

  private void answer(RoutingContext ctx, Future<CloudPcLists.Page> listed, Optional<String> search) {
    RequestScope scope = RequestScope.of(ctx);
    listed.onSuccess(page -> {
      JsonArray value = new JsonArray();
      page.cloudPcs().forEach(pc -> value.add(item(pc)));
      JsonObject body = new JsonObject().put("value", value);
      page.nextPageToken().ifPresent(token -> {
        Map<String, String> query = new LinkedHashMap<>();
        search.ifPresent(text -> query.put("search", text));
        query.put("pageToken", token);
        body.put("nextLink", links.nextPage(scope, TENANT_PATH, query));
      });
      Responses.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  static JsonObject item(CloudPc pc) {
    return new JsonObject()
        .put("cloudPcId", pc.id())
        .put("displayName", pc.displayName())
        .put("userPrincipalName", pc.userPrincipalName())
        .put("status", pc.status())
        .put("reprovisionable", pc.reprovisionable());
  }
}
