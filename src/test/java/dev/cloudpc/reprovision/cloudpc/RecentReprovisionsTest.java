package dev.cloudpc.reprovision.cloudpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.store.MemoryStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The memory of recent reprovisions: requests in flight join one send; once recorded, the answer lives in the shared
 * store only, so this instance's heap keeps nothing per reprovision (issue 14: a 128 MiB heap).
 */
class RecentReprovisionsTest {
  private static final String PC = "pc-1";

  private final MemoryStore store = new MemoryStore();
  private final RecentReprovisions recent = new RecentReprovisions(store);
  private final AtomicInteger sends = new AtomicInteger();

  @Test
  void requestsInFlightJoinOneSendAndNothingStaysOnTheHeapAfterwards() {
    Promise<ReprovisionOutcome> graph = Promise.promise();
    Future<ReprovisionOutcome> first = recent.once(target(), () -> send(graph.future()), failure -> true);
    Future<ReprovisionOutcome> second = recent.once(target(), this::neverAnswered, failure -> true);
    assertThat(recent.find(PC)).isSameAs(first);

    graph.complete(accepted("graph-request-1"));

    assertThat(sends).hasValue(1);
    assertThat(first.result().kind()).isEqualTo(ReprovisionOutcome.Kind.ACCEPTED);
    assertThat(second.result().kind()).isEqualTo(ReprovisionOutcome.Kind.ALREADY_RUNNING);
    assertThat(recent.find(PC)).isNull();
  }

  @Test
  void aRepeatAfterTheAnswerGetsItFromTheStoreWithoutSending() {
    recent.once(target(), () -> send(Future.succeededFuture(accepted("graph-request-1"))), failure -> true);

    Future<ReprovisionOutcome> repeat = recent.once(target(), this::neverAnswered, failure -> true);
    Future<ReprovisionOutcome> recorded = recent.recordedOr(target(), () -> Future.failedFuture("not recorded"));

    assertThat(sends).hasValue(1);
    assertThat(repeat.result().kind()).isEqualTo(ReprovisionOutcome.Kind.ALREADY_RUNNING);
    assertThat(repeat.result().graphRequestId()).isEqualTo("graph-request-1");
    assertThat(recorded.result().graphRequestId()).isEqualTo("graph-request-1");
  }

  @Test
  void anAmbiguousFailureIsRepeatedFromTheStoreAndARefusalIsForgotten() {
    Problem ambiguous = Problem.of(502, "graph-connection-lost", "Bad gateway", "may have reached Graph");
    recent.once(target(), () -> send(Future.failedFuture(ambiguous.exception())), failure -> true);
    Future<ReprovisionOutcome> retry = recent.once(target(), this::neverAnswered, failure -> true);
    assertThat(sends).hasValue(1);
    assertThat(retry.cause().getMessage()).contains("may have reached Graph");

    String other = "pc-2";
    Problem throttled = Problem.of(429, "graph-throttled", "Too many requests", "Graph did not act");
    recent.once(target(other), () -> send(Future.failedFuture(throttled.exception())), failure -> false);
    Future<ReprovisionOutcome> again = recent.once(target(other),
        () -> send(Future.succeededFuture(accepted("graph-request-2"))), failure -> false);
    Future<ReprovisionOutcome> none = recent.recordedOr(target("pc-3"), () -> Future.succeededFuture());
    assertThat(sends).hasValue(3);
    assertThat(again.result().kind()).isEqualTo(ReprovisionOutcome.Kind.ACCEPTED);
    assertThat(none.result()).isNull();
  }

  private Future<ReprovisionOutcome> neverAnswered() {
    return send(Promise.<ReprovisionOutcome>promise().future());
  }

  private Future<ReprovisionOutcome> send(Future<ReprovisionOutcome> graph) {
    sends.incrementAndGet();
    return graph;
  }

  private static ReprovisionTarget target() {
    return target(PC);
  }

  private static ReprovisionTarget target(String id) {
    CloudPc pc = new CloudPc(id, "PC " + id, "user@contoso.example", "provisioned", null, null,
        new CloudPc.LastRemoteAction(true, null), java.time.Instant.now());
    return new ReprovisionTarget("admin", pc, GraphCall.post(GraphCall.CLOUD_PCS + "/" + id + "/reprovision",
        new JsonObject()), false);
  }

  private static ReprovisionOutcome accepted(String requestId) {
    return new ReprovisionOutcome(ReprovisionOutcome.Kind.ACCEPTED, target(), requestId, Instant.now(), null);
  }
}
