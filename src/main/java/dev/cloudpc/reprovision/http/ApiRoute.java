package dev.cloudpc.reprovision.http;

import io.vertx.core.http.HttpMethod;

/**
 * One public route: the single list of these ({@link ApiRoutes}) drives the router, the Azure Functions entry points
 * and the connector definition, and tests hold the three to it.
 *
 * @param path          Vert.x path with {@code :param} segments, below nothing (starts with /api)
 * @param operationId   the connector's operationId and the handler's key
 * @param anonymous     no function key or caller identity needed (health, API definition)
 */
public record ApiRoute(HttpMethod method, String path, String operationId, boolean anonymous) {

  /** The Azure Functions route template: below the {@code api} prefix, {@code {param}} segments. */
  public String functionRoute() {
    return path.substring("/api/".length()).replaceAll(":([A-Za-z]+)", "{$1}");
  }
}
