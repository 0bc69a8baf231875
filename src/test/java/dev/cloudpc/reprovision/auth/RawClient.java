package dev.cloudpc.reprovision.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Sends requests exactly as written: the URI goes on the request line untouched (WebClient would normalise dot
 * segments and encodings away, hiding the very tricks under test), and no header is added but the ones given.
 */
final class RawClient {

  /** What the app answered. */
  record Answer(int status, MultiMap headers, String body) {
    String header(String name) {
      return headers.get(name);
    }

    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** A hung answer fails its request (naming it) instead of running into the test's 30 s timeout. */
  private static final long IDLE_TIMEOUT_MS = 5_000;

  private final HttpClient client;
  private final Context context;

  RawClient(Vertx vertx, int connections) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections));
    // Requests start on one event-loop context, and the body is read inside send()'s own continuation: issued
    // from the JUnit thread in a flat request/send/body chain, a few answers in a few hundred were lost and the
    // request hung (the race described in eclipse-vertx/vert.x#4705 and #6038).
    this.context = vertx.getOrCreateContext();
  }

  Future<Answer> send(int port, HttpMethod method, String uri, MultiMap headers, Buffer body, boolean chunked) {
    Promise<Answer> answer = Promise.promise();
    context.runOnContext(v -> sendNow(port, method, uri, headers, body, chunked).onComplete(answer));
    return answer.future();
  }

  private Future<Answer> sendNow(int port, HttpMethod method, String uri, MultiMap headers, Buffer body,
                                 boolean chunked) {
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(method).setURI(uri)
        .setIdleTimeout(IDLE_TIMEOUT_MS).setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers));
    return client.request(options).compose(request -> {
      request.setChunked(chunked);
      return (body == null ? request.send() : request.send(body)).compose(response -> response.body()
          .map(b -> new Answer(response.statusCode(), response.headers(), b.toString())));
    });
  }

  Future<Void> close() {
    return client.close();
  }
}
