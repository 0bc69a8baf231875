package dev.cloudpc.reprovision.cloudpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.store.MemoryStore;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The memory of recent reprovisions: requests in flight join one send; once recorded, the answer lives in the shared
 * store only, so this instance's heap keeps nothing per reprovision (issue 14: a 128 MiB heap). A claim another
 * instance holds (a second RecentReprovisions on the same store) is waited for: its outcome is the answer, a claim
 * freed because Graph did not act lets the waiter send, and the deadline ends the wait with a 503, never a 409.
 */
class RecentReprovisionsTest extends StrictVertxTest {
  private static final String PC = "pc-1";
  private static final Deadline DEADLINE = Deadline.in(Duration.ofMinutes(1));

  private final MemoryStore store = new MemoryStore();
  private final RecentReprovisions recent = new RecentReprovisions(store);
  private final RecentReprovisions otherInstance = new RecentReprovisions(store);
  private final AtomicInteger sends = new AtomicInteger();

  @Test
  void aClaimHeldByAnotherInstanceIsWaitedForAndItsOutcomeIsTheAnswer(VertxTestContext test) {
    Promise<ReprovisionOutcome> graph = claimedByTheOtherInstance(true);
    whileGraphAnswersTheOther(() -> graph.complete(accepted("graph-request-1")),
        () -> recent.once(target(), DEADLINE, this::neverAnswered, failure -> true))
        .onComplete(test.succeeding(outcome -> test.verify(() -> {
      assertThat(outcome.kind()).isEqualTo(ReprovisionOutcome.Kind.ALREADY_RUNNING);
      assertThat(outcome.graphRequestId()).isEqualTo("graph-request-1");
      assertThat(sends).as("only the holder sent").hasValue(1);
      test.completeNow();
    })));
  }

  @Test
  void aClaimFreedBecauseGraphDidNotActLetsTheWaiterSend(VertxTestContext test) {
    Promise<ReprovisionOutcome> graph = claimedByTheOtherInstance(false);
    Problem throttled = Problem.of(429, "graph-throttled", "Too many requests", "Graph did not act");
    whileGraphAnswersTheOther(() -> graph.fail(throttled.exception()), () -> recent.once(target(), DEADLINE,
        () -> send(Future.succeededFuture(accepted("graph-request-2"))), failure -> false))
        .onComplete(test.succeeding(outcome -> test.verify(() -> {
      assertThat(outcome.kind()).isEqualTo(ReprovisionOutcome.Kind.ACCEPTED);
      assertThat(outcome.graphRequestId()).isEqualTo("graph-request-2");
      assertThat(sends).hasValue(2);
      test.completeNow();
    })));
  }

  @Test
  void pastTheDeadlineTheWaiterGets503WithRetryAfterAndSendsNothing(VertxTestContext test) {
    claimedByTheOtherInstance(true);
    long start = System.nanoTime();
    whileGraphAnswersTheOther(() -> { }, () -> recent.once(target(), Deadline.in(Duration.ofSeconds(1)),
        this::neverAnswered, failure -> true)).onComplete(test.failing(failure -> test.verify(() -> {
          Problem problem = ((ProblemException) failure).problem();
          assertThat(problem.status()).isEqualTo(503);
          assertThat(problem.slug()).isEqualTo("reprovision-in-flight");
          assertThat(problem.headers()).containsEntry("Retry-After", "5");
          assertThat(problem.detail()).contains("nothing was sent for this one");
          assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_500));
          assertThat(sends).hasValue(1);
          test.completeNow();
        })));
  }

  @Test
  void aRecordedReadWaitsForTheClaimToo(VertxTestContext test) {
    Promise<ReprovisionOutcome> graph = claimedByTheOtherInstance(true);
    whileGraphAnswersTheOther(() -> graph.complete(accepted("graph-request-3")),
        () -> recent.recordedOr(target(), DEADLINE, () -> Future.failedFuture("not recorded")))
        .onComplete(test.succeeding(outcome -> test.verify(() -> {
      assertThat(outcome.graphRequestId()).isEqualTo("graph-request-3");
      test.completeNow();
    })));
  }

  /** The other instance claims the PC and sends; Graph's answer to that send is the returned promise's to give. */
  private Promise<ReprovisionOutcome> claimedByTheOtherInstance(boolean mayHaveActed) {
    Promise<ReprovisionOutcome> graph = Promise.promise();
    otherInstance.once(target(), DEADLINE, () -> send(graph.future()), failure -> mayHaveActed);
    return graph;
  }

  /**
   * Runs {@code request} on an event loop, as requests run (the wait's pauses are Vert.x timers), and 300 ms later
   * {@code answer}: Graph answering the other instance while this request waits.
   */
  private static <T> Future<T> whileGraphAnswersTheOther(Runnable answer, Supplier<Future<T>> request) {
    Promise<T> done = Promise.promise();
    vertx.runOnContext(v -> {
      vertx.setTimer(300, t -> answer.run());
      request.get().onComplete(done);
    });
    return done.future();
  }

  @Test
  void requestsInFlightJoinOneSendAndNothingStaysOnTheHeapAfterwards() {
    Promise<ReprovisionOutcome> graph = Promise.promise();
    Future<ReprovisionOutcome> first = recent.once(target(), DEADLINE, () -> send(graph.future()), failure -> true);
    Future<ReprovisionOutcome> second = recent.once(target(), DEADLINE, this::neverAnswered, failure -> true);
    assertThat(recent.find(PC)).isSameAs(first);

    graph.complete(accepted("graph-request-1"));

    assertThat(sends).hasValue(1);
    assertThat(first.result().kind()).isEqualTo(ReprovisionOutcome.Kind.ACCEPTED);
    assertThat(second.result().kind()).isEqualTo(ReprovisionOutcome.Kind.ALREADY_RUNNING);
    assertThat(recent.find(PC)).isNull();
  }

  @Test
  void aRepeatAfterTheAnswerGetsItFromTheStoreWithoutSending() {
    recent.once(target(), DEADLINE, () -> send(Future.succeededFuture(accepted("graph-request-1"))), failure -> true);

    Future<ReprovisionOutcome> repeat = recent.once(target(), DEADLINE, this::neverAnswered, failure -> true);
    Future<ReprovisionOutcome> recorded = recent.recordedOr(target(), DEADLINE,
        () -> Future.failedFuture("not recorded"));

    assertThat(sends).hasValue(1);
    assertThat(repeat.result().kind()).isEqualTo(ReprovisionOutcome.Kind.ALREADY_RUNNING);
    assertThat(repeat.result().graphRequestId()).isEqualTo("graph-request-1");
    assertThat(recorded.result().graphRequestId()).isEqualTo("graph-request-1");
  }

  @Test
  void anAmbiguousFailureIsRepeatedFromTheStoreAndARefusalIsForgotten() {
    Problem ambiguous = Problem.of(502, "graph-connection-lost", "Bad gateway", "may have reached Graph");
    recent.once(target(), DEADLINE, () -> send(Future.failedFuture(ambiguous.exception())), failure -> true);
    Future<ReprovisionOutcome> retry = recent.once(target(), DEADLINE, this::neverAnswered, failure -> true);
    assertThat(sends).hasValue(1);
    assertThat(retry.cause().getMessage()).contains("may have reached Graph");

    String other = "pc-2";
    Problem throttled = Problem.of(429, "graph-throttled", "Too many requests", "Graph did not act");
    recent.once(target(other), DEADLINE, () -> send(Future.failedFuture(throttled.exception())), failure -> false);
    Future<ReprovisionOutcome> again = recent.once(target(other), DEADLINE,
        () -> send(Future.succeededFuture(accepted("graph-request-2"))), failure -> false);
    Future<ReprovisionOutcome> none = recent.recordedOr(target("pc-3"), DEADLINE, () -> Future.succeededFuture());
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
