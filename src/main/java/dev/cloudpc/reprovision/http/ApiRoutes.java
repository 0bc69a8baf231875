package dev.cloudpc.reprovision.http;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;

/** Every public route of the API, in one place. */
public final class ApiRoutes {
  public static final ApiRoute REPROVISION = new ApiRoute(HttpMethod.POST, "/api/cloudpcs/:cloudPcId/reprovision",
      "ReprovisionCloudPc", false);
  public static final ApiRoute REPROVISION_FOR_USER = new ApiRoute(HttpMethod.POST,
      "/api/users/:userId/cloudpcs/:cloudPcId/reprovision", "ReprovisionUserCloudPc", false);
  public static final ApiRoute REPROVISION_MINE = new ApiRoute(HttpMethod.POST,
      "/api/me/cloudpcs/:cloudPcId/reprovision", "ReprovisionMyCloudPc", false);
  public static final ApiRoute STATUS = new ApiRoute(HttpMethod.GET, "/api/cloudpcs/:cloudPcId",
      "GetCloudPcStatus", false);
  public static final ApiRoute OPERATION = new ApiRoute(HttpMethod.GET,
      "/api/cloudpcs/:cloudPcId/operations/:operationId", "GetReprovisionOperation", false);
  public static final ApiRoute REPROVISION_MANY = new ApiRoute(HttpMethod.POST, "/api/cloudpcs/reprovision",
      "ReprovisionCloudPcs", false);
  public static final ApiRoute REPROVISION_ALL_OF_USER = new ApiRoute(HttpMethod.POST,
      "/api/users/:userId/cloudpcs/reprovision", "ReprovisionAllUserCloudPcs", false);
  public static final ApiRoute BULK_OPERATION = new ApiRoute(HttpMethod.GET,
      "/api/cloudpcs/reprovision/operations/:bulkOperationId", "GetBulkReprovisionOperation", false);
  public static final ApiRoute LIST_MINE = new ApiRoute(HttpMethod.GET, "/api/me/cloudpcs", "ListMyCloudPcs", false);
  public static final ApiRoute LIST_OF_USER = new ApiRoute(HttpMethod.GET, "/api/users/:userId/cloudpcs",
      "ListUserCloudPcs", false);
  public static final ApiRoute LIST_TENANT = new ApiRoute(HttpMethod.GET, "/api/cloudpcs", "ListCloudPcs", false);
  public static final ApiRoute HEALTH = new ApiRoute(HttpMethod.GET, "/api/health", "GetHealth", true);
  public static final ApiRoute API_DEFINITION = new ApiRoute(HttpMethod.GET, "/api/openapi.json",
      "GetApiDefinition", true);

  /** In matching order: literal segments ({@code reprovision}) before the parameters they would also match. */
  public static final List<ApiRoute> ALL = List.of(REPROVISION_MANY, REPROVISION_ALL_OF_USER, BULK_OPERATION,
      REPROVISION, REPROVISION_FOR_USER, REPROVISION_MINE, STATUS, OPERATION, LIST_MINE, LIST_OF_USER, LIST_TENANT,
      HEALTH, API_DEFINITION);

  private ApiRoutes() {
  }

  /** The route a request takes, as the router matches it (first in {@link #ALL}), if any. */
  public static Optional<ApiRoute> of(HttpMethod method, String path) {
    return ALL.stream().filter(route -> route.method().equals(method) && route.matchesPath(path)).findFirst();
  }
}
