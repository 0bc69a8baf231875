package dev.cloudpc.reprovision.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * GET /api/openapi.json (anonymous): the Swagger 2.0 definition Power Platform's custom connectors import. It holds
 * no secrets; read once at start-up from the jar.
 */
public final class ApiDefinitionHandler implements Handler<RoutingContext> {
  public static final String RESOURCE = "connector/apiDefinition.swagger.json";

  private final Buffer definition;

  public ApiDefinitionHandler() {
    try (InputStream in = ApiDefinitionHandler.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build");
      }
      this.definition = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "public, max-age=300")
        .end(definition);
  }
}
