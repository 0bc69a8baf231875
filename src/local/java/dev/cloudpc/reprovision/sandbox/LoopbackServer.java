package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;

/**
 * An HTTP server on 127.0.0.1 and an ephemeral port whose handler is installed after binding: the identity and the
 * Graph fake each need the other's URL, so both ports must exist before either is built.
 */
final class LoopbackServer {

  private final HttpServer server;
  private volatile Handler<HttpServerRequest> handler;

  private LoopbackServer(HttpServer server) {
    this.server = server;
  }

  static Future<LoopbackServer> bind(Vertx vertx) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    LoopbackServer loopback = new LoopbackServer(server);
    return server.requestHandler(loopback::dispatch).listen().map(bound -> loopback);
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  void serve(Handler<HttpServerRequest> requestHandler) {
    handler = requestHandler;
  }

  Future<Void> close() {
    return server.close();
  }

  private void dispatch(HttpServerRequest request) {
    Handler<HttpServerRequest> current = handler;
    if (current == null) {
      request.response().setStatusCode(503).end("sandbox starting");
    } else {
      current.handle(request);
    }
  }
}
