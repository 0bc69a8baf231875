package dev.cloudpc.reprovision.telemetry;

import io.opentelemetry.context.Context;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * Registers the Vert.x context local that holds a request's trace. Vert.x sizes each context's locals when a Vertx is
 * built, so the local must exist before the first one: Vert.x loads this provider (META-INF/services) while building
 * every Vertx, before it takes the list of locals, which runs this class's static initialiser first.
 */
public final class TraceLocal implements VertxServiceProvider {
  static final ContextLocal<Context> LOCAL = ContextLocal.registerLocal(Context.class);

  @Override
  public void init(VertxBootstrap bootstrap) {
    // Registration happened when Vert.x loaded this class.
  }
}
