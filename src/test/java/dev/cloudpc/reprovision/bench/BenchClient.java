package dev.cloudpc.reprovision.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator's one HTTP client (Vert.x, async, HTTP/1.1 keep-alive): the same instance calls the product and,
 * for the baseline, the fake Graph, so its own cost is the same on both sides of the comparison. Answers other than
 * the expected status are counted by status, with the first such body kept for the report.
 *
 * <p>Every exchange runs on the client's own context: started from another thread (the bench's main thread), Vert.x
 * 5.0.7 can deliver the response before the body handler is attached and the answer is lost (measured: about 1 in
 * 500 requests hung).
 */
final class BenchClient {
  static final String USER_AGENT = "reprovision-bench/1.0 (Vert.x HttpClient)";
  private static final long REQUEST_TIMEOUT_MS = 30_000;

  private final HttpClientAgent http;
  private final Context context;
  private final Map<String, AtomicLong> unexpected = new ConcurrentHashMap<>();
  private volatile String firstUnexpected;

  BenchClient(Vertx vertx, int maxConnectionsPerServer) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
            .setMaxInitialLineLength(8192).setDefaultHost("127.0.0.1"),
        new PoolOptions().setHttp1MaxSize(maxConnectionsPerServer).setMaxWaitQueueSize(-1));
    this.context = vertx.getOrCreateContext();
  }

  /** The event-loop context every exchange runs on; load loops should run on it too, to avoid a hop per request. */
  Context context() {
    return context;
  }

  /** Completes with true when the answer has {@code expectedStatus}; false for any other answer or a failure. */
  Future<Boolean> send(HttpMethod method, int port, String uri, MultiMap headers, String body, int expectedStatus) {
    if (Vertx.currentContext() == context) {
      return exchange(method, port, uri, headers, body, expectedStatus);
    }
    Promise<Boolean> answer = Promise.promise();
    context.runOnContext(v -> exchange(method, port, uri, headers, body, expectedStatus).onComplete(answer));
    return answer.future();
  }

  /** An answer as a flow sees it: status, the async pattern's headers, and the body. */
  record Answer(int status, String location, String retryAfter, String body) {
  }

  /** One exchange whatever its status; a transport failure is status 0 with the failure as body. */
  Future<Answer> call(HttpMethod method, int port, String uri, MultiMap headers) {
    Promise<Answer> answer = Promise.promise();
    context.runOnContext(v -> {
      MultiMap all = MultiMap.caseInsensitiveMultiMap().addAll(headers).set("User-Agent", USER_AGENT);
      http.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
              .setHeaders(all).setTimeout(REQUEST_TIMEOUT_MS * 4))
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> new Answer(response.statusCode(),
              response.getHeader("Location"), response.getHeader("Retry-After"), body.toString())))
          .recover(failure -> Future.succeededFuture(new Answer(0, null, null, String.valueOf(failure))))
          .onComplete(answer);
    });
    return answer.future();
  }

  private Future<Boolean> exchange(HttpMethod method, int port, String uri, MultiMap headers, String body,
                                   int expectedStatus) {
    MultiMap all = MultiMap.caseInsensitiveMultiMap().addAll(headers).set("User-Agent", USER_AGENT);
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setHeaders(all).setTimeout(REQUEST_TIMEOUT_MS);
    return http.request(options)
        .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(answer -> {
          if (response.statusCode() == expectedStatus) {
            return true;
          }
          note(Integer.toString(response.statusCode()), uri + " -> " + answer);
          return false;
        }))
        .recover(failure -> {
          note(failure.getClass().getSimpleName(), uri + " -> " + failure.getMessage());
          return Future.succeededFuture(false);
        });
  }

  private void note(String kind, String detail) {
    unexpected.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    if (firstUnexpected == null) {
      firstUnexpected = detail.length() > 400 ? detail.substring(0, 400) : detail;
    }
  }

  /** Unexpected answers so far by status (or exception name), and the first one's text. */
  JsonObject unexpectedAnswers() {
    JsonObject counts = new JsonObject();
    unexpected.forEach((kind, count) -> counts.put(kind, count.get()));
    return new JsonObject().put("byKind", counts).put("first", firstUnexpected);
  }

  Future<Void> close() {
    return http.close();
  }
}
