package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Graph routes the product uses, as functions from a request to an answer (no I/O here, so faults can run a
 * route for its effect and throw the answer away).
 *
 * <p>A reprovision while the previous rebuild still runs gets <b>409 {@code Conflict}</b>. Graph documents no
 * status for this case; 409 is HTTP's "conflicts with the current state of the resource", and unlike 429/503 it
 * tells a client that retrying at once is pointless.
 */
final class GraphRoutes {

  private interface Handler {
    GraphAnswer handle(IncomingGraphRequest call, Matcher path);
  }

  private record Route(String method, Pattern path, Handler handler) {
  }

  private static final String VERSION = "(beta|v1\\.0)";
  private static final String CLOUD_PCS = "/" + VERSION + "/deviceManagement/virtualEndpoint/cloudPCs";
  private static final String BETA_CLOUD_PCS = "/(beta)/deviceManagement/virtualEndpoint/cloudPCs";
  /**
   * cloudPcStatus members up to the evolvable-enum sentinel; later ones (movingRegion, preparing, …) are sent only
   * to a request with {@code Prefer: include-unknown-enum-members}, others get {@code unknownFutureValue}
   * (api-reference/beta/resources/cloudpc.md, "cloudPcStatus values"; graph/best-practices-concept.md).
   */
  private static final Set<String> STATUS_BEFORE_SENTINEL = Set.of("notProvisioned", "provisioning", "provisioned",
      "inGracePeriod", "deprovisioning", "failed", "provisionedWithWarnings", "resizing", "restoring",
      "pendingProvision", "unknownFutureValue");
  /** Graph's default page size varies by API; this one is small enough that tests can exceed it. */
  static final int DEFAULT_PAGE_SIZE = 100;
  private static final String BULK = "/(beta)/deviceManagement/virtualEndpoint/bulkActions";
  private static final String ME_NEEDS_DELEGATION = "/me request is only valid with delegated authentication flow.";
  /** What List my cloudPCs returns (api-reference/beta/api/user-list-cloudpcs.md, its note), of what this fake has. */
  private static final Set<String> ME_LIST_PROPERTIES = Set.of("id", "displayName", "imageDisplayName",
      "servicePlanId", "servicePlanName", "servicePlanType", "status", "lastModifiedDateTime", "aadDeviceId",
      "statusDetail", "statusDetails", "gracePeriodEndDateTime", "provisioningType");

  private final CloudPcStore store;
  private final BulkActions bulkActions;
  private final String baseUrl;
  private final SandboxUserSettings userSettings;
  private final List<Route> routes;
  private volatile int pageSize = DEFAULT_PAGE_SIZE;

  GraphRoutes(CloudPcStore store, BulkActions bulkActions, SandboxUserSettings userSettings, String baseUrl) {
    this.store = store;
    this.bulkActions = bulkActions;
    this.userSettings = userSettings;
    this.baseUrl = baseUrl;
    this.routes = List.of(
        route("GET", CLOUD_PCS, this::listCloudPcs),
        route("GET", CLOUD_PCS + "/([^/]+)", this::getCloudPc),
        route("POST", CLOUD_PCS + "/([^/]+)/reprovision", this::reprovisionAsAdmin),
        // Beta only: v1.0 has neither function (api-reference/v1.0/resources/cloudpc.md lists no such method), so
        // on v1.0 the segment is unknown and Graph answers 400 "Resource not found for the segment".
        route("GET", BETA_CLOUD_PCS + "/([^/]+)/getSupportedCloudPcRemoteActions(?:\\(\\))?", this::supportedActions),
        route("GET", BETA_CLOUD_PCS + "/([^/]+)/retrieveCloudPcRemoteActionResults(?:\\(\\))?",
            this::remoteActionResults),
        route("GET", "/" + VERSION + "/deviceManagement/virtualEndpoint/userSettings", this::listUserSettings),
        route("POST", "/" + VERSION + "/users/([^/]+)/checkMemberGroups", this::checkMemberGroups),
        route("GET", "/" + VERSION + "/users/([^/]+)", this::getUser),
        route("GET", "/" + VERSION + "/me/cloudPCs", this::listMyCloudPcs),
        route("GET", "/" + VERSION + "/me/cloudPCs/([^/]+)",
            (call, path) -> asMe(call, segment(path, 2), id -> cloudPcJson(call, path, id))),
        route("POST", "/" + VERSION + "/me/cloudPCs/([^/]+)/reprovision",
            (call, path) -> asMe(call, segment(path, 2), id -> reprovision(call, id))),
        route("GET", "/" + VERSION + "/users/([^/]+)/cloudPCs/([^/]+)",
            (call, path) -> forUser(call, path, id -> cloudPcJson(call, path, id))),
        route("POST", "/" + VERSION + "/users/([^/]+)/cloudPCs/([^/]+)/reprovision",
            (call, path) -> forUser(call, path, id -> reprovision(call, id))),
        route("POST", BULK, this::createBulkAction),
        route("GET", BULK + "/([^/]+)", this::getBulkAction));
  }

  private static Route route(String method, String regex, Handler handler) {
    return new Route(method, Pattern.compile(regex, Pattern.CASE_INSENSITIVE), handler);
  }

  GraphAnswer dispatch(IncomingGraphRequest call) {
    boolean knownPath = false;
    for (Route route : routes) {
      Matcher matcher = route.path().matcher(call.path());
      if (matcher.matches()) {
        if (route.method().equals(call.method())) {
          return handle(route, call, matcher);
        }
        knownPath = true;
      }
    }
    return knownPath
        ? GraphErrorBody.of(call, 405, "BadRequest", "The HTTP method '" + call.method() + "' is not allowed here.")
        : GraphErrorBody.badRequest(call, "Resource not found for the segment in '" + call.path() + "'.");
  }

  private static GraphAnswer handle(Route route, IncomingGraphRequest call, Matcher matcher) {
    try {
      return route.handler().handle(call, matcher);
    } catch (IllegalArgumentException e) {
      // e.g. a malformed percent-escape in a path segment
      return GraphErrorBody.badRequest(call, "Invalid request: " + e.getMessage());
    }
  }

  private GraphAnswer getCloudPc(IncomingGraphRequest call, Matcher path) {
    return cloudPcJson(call, path, segment(path, 2));
  }

  private GraphAnswer cloudPcJson(IncomingGraphRequest call, Matcher path, String id) {
    Instant now = Instant.now();
    return store.view(id)
        .map(pc -> GraphAnswer.json(200, select(call, withLastRemoteAction(call, shape(call, path, pc.toJson()), id,
                now).put("@odata.context", context(path, "deviceManagement/virtualEndpoint/cloudPCs/$entity")))))
        .orElseGet(() -> GraphErrorBody.cloudPcNotFound(call, id));
  }

  /**
   * The tenant's Cloud PCs, paged (api-reference/beta/api/virtualendpoint-list-cloudpcs.md: {@code $select},
   * {@code $filter}, {@code $top}); the one filter this fake understands is {@code userPrincipalName eq '…'}, any
   * other is refused as Graph refuses a filter it cannot apply.
   */
  private GraphAnswer listCloudPcs(IncomingGraphRequest call, Matcher path) {
    String filter = call.params().get("$filter");
    Instant now = Instant.now();
    if (filter == null) {
      SandboxDirectory directory = store.directory();
      return page(call, path, "deviceManagement/virtualEndpoint/cloudPCs", directory.cloudPcCount(),
          i -> cloudPcEntity(call, path, directory.cloudPcAt(i), now));
    }
    Optional<String> upn = UpnFilter.parse(filter);
    if (upn.isEmpty()) {
      return GraphErrorBody.badRequest(call, "Invalid filter clause: this sandbox filters Cloud PCs only with"
          + " $filter=userPrincipalName eq '<upn>'; got: " + filter);
    }
    List<JsonObject> value = new ArrayList<>();
    store.directory().user(upn.get())
        .filter(user -> user.userPrincipalName().equalsIgnoreCase(upn.get()))
        .ifPresent(user -> store.directory().cloudPcsOf(user)
            .forEach(pc -> value.add(cloudPcEntity(call, path, pc, now))));
    return page(call, path, "deviceManagement/virtualEndpoint/cloudPCs", value);
  }

  private JsonObject cloudPcEntity(IncomingGraphRequest call, Matcher path, CloudPcSeed pc, Instant now) {
    return select(call, withLastRemoteAction(call, shape(call, path, store.view(pc, now).toJson()), pc.id(), now));
  }

  /**
   * {@code lastRemoteActionResult} comes back only when {@code $select} names it (cloudpc-get.md, example 2), as the
   * PC's newest remote action of any kind; null when it never had one.
   */
  private JsonObject withLastRemoteAction(IncomingGraphRequest call, JsonObject pc, String id, Instant now) {
    String select = call.params().get("$select");
    if (select != null && List.of(select.split(",")).stream().anyMatch(f -> f.trim().equals("lastRemoteActionResult"))
        && !store.lastActionOmitted(id)) {
      pc.put("lastRemoteActionResult", store.lastAction(id, now));
    }
    return pc;
  }

  /**
   * The signed-in user's Cloud PCs (api-reference/beta/api/user-list-cloudpcs.md): delegated tokens only (its
   * permission table: "Application: Not supported"), {@code $select}, paged, and only the properties that page lists —
   * no {@code userPrincipalName} among them.
   */
  private GraphAnswer listMyCloudPcs(IncomingGraphRequest call, Matcher path) {
    if (!delegated(call)) {
      return GraphErrorBody.badRequest(call, ME_NEEDS_DELEGATION);
    }
    Instant now = Instant.now();
    List<JsonObject> value = new ArrayList<>();
    store.directory().user(String.valueOf(call.tokenClaims().getValue("oid")))
        .ifPresent(user -> store.directory().cloudPcsOf(user).forEach(pc -> {
          JsonObject all = shape(call, path, store.view(pc, now).toJson());
          JsonObject listed = new JsonObject();
          all.forEach(property -> {
            if (ME_LIST_PROPERTIES.contains(property.getKey())) {
              listed.put(property.getKey(), property.getValue());
            }
          });
          value.add(select(call, listed));
        }));
    return page(call, path, "Collection(microsoft.graph.cloudPC)", value);
  }

  private GraphAnswer reprovisionAsAdmin(IncomingGraphRequest call, Matcher path) {
    return reprovision(call, segment(path, 2));
  }

  /** Graph only knows "me" for delegated tokens; the caller must own the PC, else it does not exist for them. */
  private GraphAnswer asMe(IncomingGraphRequest call, String id, Function<String, GraphAnswer> then) {
    JsonObject claims = call.tokenClaims();
    if (!delegated(call)) {
      return GraphErrorBody.badRequest(call, ME_NEEDS_DELEGATION);
    }
    boolean owned = store.directory().cloudPc(id)
        .filter(pc -> pc.user().id().equalsIgnoreCase(String.valueOf(claims.getValue("oid"))))
        .isPresent();
    return owned ? then.apply(id) : GraphErrorBody.cloudPcNotFound(call, id);
  }

  private static boolean delegated(IncomingGraphRequest call) {
    return call.tokenClaims().getValue("scp") instanceof String;
  }

  /** /users/{user}/cloudPCs/{id}: the PC must belong to that user, else it does not exist on that path. */
  private GraphAnswer forUser(IncomingGraphRequest call, Matcher path, Function<String, GraphAnswer> then) {
    String userKey = segment(path, 2);
    String id = segment(path, 3);
    Optional<SandboxUser> user = store.directory().user(userKey);
    if (user.isEmpty()) {
      return userNotFound(call, userKey);
    }
    boolean owned = store.directory().cloudPc(id).filter(pc -> pc.user().id().equals(user.get().id())).isPresent();
    return owned ? then.apply(id) : GraphErrorBody.cloudPcNotFound(call, id);
  }

  private GraphAnswer reprovision(IncomingGraphRequest call, String id) {
    ReprovisionBody body;
    try {
      body = ReprovisionBody.parse(call.body());
    } catch (IllegalArgumentException e) {
      return GraphErrorBody.badRequest(call, e.getMessage());
    }
    CloudPcStore.Start start = store.startReprovision(id, body.osVersion(), body.userAccountType());
    return switch (start.kind()) {
      case STARTED -> GraphAnswer.noContent();
      case NOT_FOUND -> GraphErrorBody.cloudPcNotFound(call, id);
      case BUSY -> GraphErrorBody.of(call, 409, "Conflict",
          "Another remote action is in progress on Cloud PC '" + id + "'. Try again after it completes.");
      case NOT_SUPPORTED -> GraphErrorBody.badRequest(call, "Reprovision is not supported for Cloud PC '" + id + "'.");
    };
  }

  private GraphAnswer remoteActionResults(IncomingGraphRequest call, Matcher path) {
    String id = segment(path, 2);
    if (store.directory().cloudPc(id).isEmpty()) {
      return GraphErrorBody.cloudPcNotFound(call, id);
    }
    Instant now = Instant.now();
    List<JsonObject> value = store.actions(id).stream().map(action -> action.toJson(now)).toList();
    return page(call, path, "Collection(microsoft.graph.cloudPcRemoteActionResult)", value);
  }

  private GraphAnswer supportedActions(IncomingGraphRequest call, Matcher path) {
    String id = segment(path, 2);
    if (store.directory().cloudPc(id).isEmpty()) {
      return GraphErrorBody.cloudPcNotFound(call, id);
    }
    JsonArray value = new JsonArray()
        .add(capability(SimulatedRebuild.NAME, store.reprovisionSupported(id)))
        .add(capability("Restart", true))
        .add(capability("Rename", true))
        .add(capability("Restore", true))
        .add(capability("Troubleshoot", true));
    return GraphAnswer.json(200, new JsonObject()
        .put("@odata.context", context(path, "Collection(microsoft.graph.cloudPcRemoteActionCapability)"))
        .put("value", value));
  }

  /** Assignments appear only on {@code $expand=assignments} (cloudpcusersetting.md, Relationships). */
  private GraphAnswer listUserSettings(IncomingGraphRequest call, Matcher path) {
    String expand = call.params().get("$expand");
    return page(call, path, "deviceManagement/virtualEndpoint/userSettings",
        userSettings.toJson(expand != null && expand.contains("assignments")));
  }

  /** At most 20 group ids; the answer lists those the user is a member of, transitively. */
  private GraphAnswer checkMemberGroups(IncomingGraphRequest call, Matcher path) {
    String key = segment(path, 2);
    Optional<SandboxUser> user = store.directory().user(key);
    if (user.isEmpty()) {
      return userNotFound(call, key);
    }
    JsonArray ids;
    try {
      ids = new JsonObject(call.body()).getJsonArray("groupIds");
    } catch (RuntimeException e) {
      ids = null;
    }
    if (ids == null || ids.isEmpty() || ids.size() > 20 || !ids.stream().allMatch(String.class::isInstance)) {
      return GraphErrorBody.badRequest(call, "groupIds must list 1 to 20 group ids.");
    }
    List<String> asked = ids.stream().map(String.class::cast).toList();
    return GraphAnswer.json(200, new JsonObject()
        .put("@odata.context", context(path, "Collection(Edm.String)"))
        .put("value", new JsonArray(userSettings.memberGroups(user.get().id(), asked))));
  }

  void pageSize(int size) {
    pageSize = size;
  }

  private GraphAnswer page(IncomingGraphRequest call, Matcher path, String what, List<JsonObject> all) {
    return page(call, path, what, all.size(), all::get);
  }

  /**
   * One page of a collection, with {@code @odata.nextLink} to the rest (graph/paging.md): the same URL with a
   * {@code $skiptoken}, which clients must treat as opaque. {@code $top} asks for smaller pages (paging.md: the
   * server may still page below it).
   */
  private GraphAnswer page(IncomingGraphRequest call, Matcher path, String what, int total, IntFunction<JsonObject> item) {
    int from;
    int size = pageSize;
    try {
      from = Math.max(0, Integer.parseInt(Objects.requireNonNullElse(call.params().get("$skiptoken"), "0")));
      String top = call.params().get("$top");
      if (top != null) {
        int asked = Integer.parseInt(top);
        if (asked < 1) {
          return GraphErrorBody.badRequest(call, "Invalid $top: " + top);
        }
        size = Math.min(size, asked);
      }
    } catch (NumberFormatException e) {
      return GraphErrorBody.badRequest(call, "Invalid $skiptoken or $top.");
    }
    int to = Math.min(total, from + size);
    JsonArray value = new JsonArray();
    for (int i = Math.min(from, to); i < to; i++) {
      value.add(item.apply(i));
    }
    JsonObject body = new JsonObject()
        .put("@odata.context", context(path, what))
        .put("value", value);
    if (to < total) {
      String query = call.rawQuery().replaceAll("(^|&)(\\$|%24)skiptoken=[^&]*", "");
      query = query.replaceFirst("^&", "");
      body.put("@odata.nextLink", baseUrl + call.path() + "?" + (query.isEmpty() ? "" : query + "&")
          + "$skiptoken=" + to);
    }
    return GraphAnswer.json(200, body);
  }

  /**
   * The cloudPC as this request may see it: v1.0 has no {@code status}/{@code statusDetail}
   * (api-reference/v1.0/resources/cloudpc.md), and statuses after the evolvable-enum sentinel need the Prefer header.
   */
  private static JsonObject shape(IncomingGraphRequest call, Matcher path, JsonObject pc) {
    if ("v1.0".equals(path.group(1))) {
      pc.remove("status");
      pc.remove("statusDetail");
      return pc;
    }
    String prefer = call.headers().get("Prefer");
    boolean allMembers = prefer != null && prefer.toLowerCase(java.util.Locale.ROOT)
        .contains("include-unknown-enum-members");
    if (!allMembers && pc.getValue("status") instanceof String status && !STATUS_BEFORE_SENTINEL.contains(status)) {
      pc.put("status", "unknownFutureValue");
    }
    return pc;
  }

  private static JsonObject capability(String name, boolean enabled) {
    return new JsonObject().put("actionName", name).put("actionCapability", enabled ? "enabled" : "disabled");
  }

  private GraphAnswer getUser(IncomingGraphRequest call, Matcher path) {
    String key = segment(path, 2);
    return store.directory().user(key)
        .map(user -> GraphAnswer.json(200, select(call, user.toJson()
            .put("@odata.context", context(path, "users/$entity")))))
        .orElseGet(() -> userNotFound(call, key));
  }

  private GraphAnswer createBulkAction(IncomingGraphRequest call, Matcher path) {
    JsonObject body;
    try {
      body = new JsonObject(call.body());
    } catch (RuntimeException e) {
      return GraphErrorBody.badRequest(call, "The request body is not a valid JSON object.");
    }
    if (!BulkActions.ODATA_TYPE.equals(body.getValue("@odata.type"))) {
      return GraphErrorBody.badRequest(call, "This sandbox supports only bulk actions of type "
          + BulkActions.ODATA_TYPE + ".");
    }
    if (!(body.getValue("cloudPcIds") instanceof JsonArray ids) || ids.isEmpty()
        || !ids.stream().allMatch(String.class::isInstance)) {
      return GraphErrorBody.badRequest(call, "cloudPcIds must be a non-empty list of Cloud PC ids.");
    }
    String displayName = body.getValue("displayName") instanceof String name ? name : "Bulk reprovision";
    List<String> cloudPcIds = new ArrayList<>();
    ids.forEach(id -> cloudPcIds.add((String) id));
    String initiatedBy = call.tokenClaims().getValue("upn") instanceof String upn ? upn : null;
    BulkActions.BulkAction action = bulkActions.create(displayName, cloudPcIds, initiatedBy, store);
    String location = baseUrl + "/beta/deviceManagement/virtualEndpoint/bulkActions/" + action.id();
    return GraphAnswer.json(201, action.toJson(Instant.now())
        .put("@odata.context", context(path, "deviceManagement/virtualEndpoint/bulkActions/$entity")),
        Map.of("Location", location));
  }

  private GraphAnswer getBulkAction(IncomingGraphRequest call, Matcher path) {
    String id = segment(path, 2);
    return bulkActions.find(id)
        .map(action -> GraphAnswer.json(200, action.toJson(Instant.now())
            .put("@odata.context", context(path, "deviceManagement/virtualEndpoint/bulkActions/$entity"))))
        .orElseGet(() -> GraphErrorBody.of(call, 404, "ResourceNotFound", "The bulk action '" + id
            + "' was not found."));
  }

  private static GraphAnswer userNotFound(IncomingGraphRequest call, String key) {
    return GraphErrorBody.of(call, 404, "Request_ResourceNotFound", "Resource '" + key
        + "' does not exist or one of its queried reference-property objects are not present.");
  }

  private String context(Matcher path, String what) {
    return baseUrl + "/" + path.group(1) + "/$metadata#" + what;
  }

  /** Keeps only the {@code $select}ed properties (and the OData context), as Graph does. */
  private static JsonObject select(IncomingGraphRequest call, JsonObject entity) {
    String select = call.params().get("$select");
    if (select == null || select.isBlank()) {
      return entity;
    }
    JsonObject selected = new JsonObject();
    if (entity.containsKey("@odata.context")) {
      selected.put("@odata.context", entity.getValue("@odata.context"));
    }
    for (String field : select.split(",")) {
      String name = field.trim();
      if (entity.containsKey(name)) {
        selected.put(name, entity.getValue(name));
      }
    }
    return selected;
  }

  /** Path segments arrive percent-encoded (e.g. a UPN's {@code @} as {@code %40}); '+' stays a plus in paths. */
  private static String segment(Matcher path, int group) {
    return URLDecoder.decode(path.group(group).replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
