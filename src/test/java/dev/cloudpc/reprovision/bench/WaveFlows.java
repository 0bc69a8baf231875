package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The flows of a wave, each as Power Automate or Logic Apps runs an HTTP action: POST the reprovision; on 429 or 503
 * wait the Retry-After and try again (at most {@code retries} times, as the default retry policy); on 202 follow the
 * async pattern — GET the Location after each Retry-After until the answer is not 202. {@code inFlight} flows run at a
 * time ("apply to each" with that concurrency). With several instances, flow i posts to instance i mod n and each of
 * its polls goes to the next instance in turn (any instance must answer a poll).
 */
final class WaveFlows {
  private final Vertx vertx;
  private final BenchClient client;
  private final List<Integer> ports;
  private final MultiMap headers;
  private final MultiMap pollHeaders;
  private final int retries;
  private final AtomicInteger next = new AtomicInteger();
  private final Map<Integer, AtomicInteger> statusesSeen = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> finalStatuses = new ConcurrentHashMap<>();
  private final AtomicInteger withoutRetryAfter = new AtomicInteger();
  private final List<String> oddAnswers = java.util.Collections.synchronizedList(new ArrayList<>());

  /** @param pollHeaders what a poll carries: the platform has been seen to poll without the caller's token */
  WaveFlows(Vertx vertx, BenchClient client, List<Integer> ports, MultiMap headers, MultiMap pollHeaders,
            int retries) {
    this.vertx = vertx;
    this.client = client;
    this.ports = ports;
    this.headers = headers;
    this.pollHeaders = pollHeaders;
    this.retries = retries;
  }

  /** Runs {@code pcs} flows with {@code inFlight} at a time; completes when every flow has its final answer. */
  Future<Void> run(int pcs, int inFlight) {
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(inFlight, pcs); i++) {
      lanes.add(lane(pcs));
    }
    return Future.all(lanes).mapEmpty();
  }

  private Future<Void> lane(int pcs) {
    int index = next.getAndIncrement();
    if (index >= pcs) {
      return Future.succeededFuture();
    }
    return flow(index).compose(v -> lane(pcs));
  }

  private Future<Void> flow(int index) {
    String uri = "/api/cloudpcs/" + SandboxSeed.extraCloudPcId(index) + "/reprovision";
    int port = ports.get(index % ports.size());
    return post(port, uri, 0).compose(answer -> answer.status() == 202 ? poll(answer, index, 1)
        : Future.succeededFuture(answer)).map(done -> {
          finalStatuses.computeIfAbsent(done.status(), s -> new AtomicInteger()).incrementAndGet();
          return null;
        });
  }

  private Future<BenchClient.Answer> post(int port, String uri, int retried) {
    return client.call(HttpMethod.POST, port, uri, headers).compose(answer -> {
      seen(answer);
      if (retryable(answer) && retried < retries) {
        return after(answer).compose(v -> post(port, uri, retried + 1));
      }
      return Future.succeededFuture(answer);
    });
  }

  private Future<BenchClient.Answer> poll(BenchClient.Answer previous, int index, int pollNumber) {
    URI location = URI.create(previous.location());
    int port = ports.get((index + pollNumber) % ports.size());
    String uri = location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
    return after(previous).compose(v -> client.call(HttpMethod.GET, port, uri, pollHeaders)).compose(answer -> {
      seen(answer);
      if (answer.status() == 202 || retryable(answer)) {
        // A throttled poll keeps the Location it had.
        BenchClient.Answer carry = answer.status() == 202 ? answer
            : new BenchClient.Answer(answer.status(), previous.location(), answer.retryAfter(), answer.body());
        return poll(carry, index, pollNumber + 1);
      }
      return Future.succeededFuture(answer);
    });
  }

  private Future<Void> after(BenchClient.Answer answer) {
    long seconds;
    try {
      seconds = Long.parseLong(answer.retryAfter());
    } catch (NumberFormatException e) {
      seconds = 5; // the client's own default; counted as a miss below
    }
    return vertx.timer(Math.max(1, seconds * 1000)).mapEmpty();
  }

  private static boolean retryable(BenchClient.Answer answer) {
    return answer.status() == 429 || answer.status() == 503;
  }

  private void seen(BenchClient.Answer answer) {
    statusesSeen.computeIfAbsent(answer.status(), s -> new AtomicInteger()).incrementAndGet();
    if ((answer.status() == 202 || retryable(answer)) && answer.retryAfter() == null) {
      withoutRetryAfter.incrementAndGet();
    }
    boolean expected = answer.status() == 200 || answer.status() == 202 || answer.status() == 422
        || retryable(answer);
    if (!expected && oddAnswers.size() < 5) {
      oddAnswers.add(answer.status() + " " + (answer.body().length() > 300 ? answer.body().substring(0, 300)
          : answer.body()));
    }
  }

  /** Every answer flows saw, by status. */
  Map<Integer, Integer> statusesSeen() {
    Map<Integer, Integer> counts = new TreeMap<>();
    statusesSeen.forEach((status, count) -> counts.put(status, count.get()));
    return counts;
  }

  /** How each flow ended, by status. */
  Map<Integer, Integer> finalStatuses() {
    Map<Integer, Integer> counts = new TreeMap<>();
    finalStatuses.forEach((status, count) -> counts.put(status, count.get()));
    return counts;
  }

  int withoutRetryAfter() {
    return withoutRetryAfter.get();
  }

  /** Flows that have their final answer. */
  int finished() {
    return finalStatuses.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  JsonObject toJson() {
    JsonObject seen = new JsonObject();
    statusesSeen().forEach((status, count) -> seen.put(Integer.toString(status), count));
    JsonObject ended = new JsonObject();
    finalStatuses().forEach((status, count) -> ended.put(Integer.toString(status), count));
    return new JsonObject().put("answersSeen", seen).put("flowsEndedWith", ended)
        .put("answersWithoutRetryAfter", withoutRetryAfter.get()).put("oddAnswers", new ArrayList<>(oddAnswers));
  }
}
