package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * GET /api/openapi.json (anonymous): the Swagger 2.0 definition Power Platform's custom connectors import — the
 * connector folder's {@code apiDefinition.swagger.json}, read once at start-up, with {@code host} and
 * {@code schemes} set to the origin this request was made on ({@link RequestScope#origin()}: under the Functions host,
 * the URL the host handed over), so that importing it from its URL needs no edit. It holds no secrets.
 */
public final class ApiDefinitionHandler implements Handler<RoutingContext> {
  public static final String RESOURCE = "connector/apiDefinition.swagger.json";

  private final JsonObject definition;

  public ApiDefinitionHandler() {
    try (InputStream in = ApiDefinitionHandler.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build");
      }
      this.definition = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    URI origin;
    try {
      origin = URI.create(RequestScope.of(ctx).origin());
    } catch (IllegalArgumentException unreadable) {
      origin = null;
    }
    if (origin == null || origin.getScheme() == null || origin.getRawAuthority() == null) {
      throw Problem.badRequest("host-not-readable", "The definition names the host it was requested on, but this "
          + "request's Host header is not a host name; request it as https://<function app host>/api/openapi.json.")
          .exception();
    }
    JsonObject served = definition.copy().put("host", origin.getRawAuthority())
        .put("schemes", new JsonArray().add(origin.getScheme()));
    ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "public, max-age=300")
        .end(served.encode());
  }
}
