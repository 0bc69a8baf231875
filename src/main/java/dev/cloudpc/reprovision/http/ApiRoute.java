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

  /** The route as a template with {@code {param}} segments (the {@code http.route} of its requests' spans). */
  public String template() {
    return path.replaceAll(":([A-Za-z]+)", "{$1}");
  }

  /** The Azure Functions route template: below the {@code api} prefix, {@code {param}} segments. */
  public String functionRoute() {
    return template().substring("/api/".length());
  }

  /** Whether a request path (no trailing slash) falls on this route's path, whatever the method. */
  public boolean matchesPath(String requestPath) {
    String[] expected = path.split("/", -1);
    String[] actual = requestPath.split("/", -1);
    if (expected.length != actual.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (!expected[i].startsWith(":") && !expected[i].equals(actual[i])) {
        return false;
      }
    }
    return true;
  }
}
