package dev.cloudpc.reprovision.budget;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.graph.GraphLimit;
import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.store.MemoryStore;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The budget's own rules, on one instance's memory: arrival order, refusal in time, one pause. */
class AppBudgetTest extends StrictVertxTest {
  private static final GraphLimit GET = GraphLimit.GET_CLOUD_PC;

  private static AppBudget budget(int getPerMinute) {
    return new AppBudget(vertx, new BudgetOptions(Map.of(GET, getPerMinute, GraphLimit.LIST_CLOUD_PCS, 90)),
        new MemoryStore());
  }

  private static RequestScope scope(Duration deadline) {
    return new RequestScope("6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b", null, null, Deadline.in(deadline),
        "http://127.0.0.1", null, false);
  }

  @Test
  void turnsComeInArrivalOrderWhateverOrderTheyAskIn() {
    AppBudget budget = budget(6_200); // 100 a second: the test is about order, not pace
    budget.throttled(GET, Duration.ofSeconds(1)); // everything below queues behind the pause
    List<Long> granted = Collections.synchronizedList(new ArrayList<>());
    Promise<List<Future<Void>>> asked = Promise.promise();
    // One event loop asks for every turn, so the grants' callbacks run in the order the budget grants them.
    vertx.getOrCreateContext().runOnContext(v -> {
      List<Future<Void>> turns = new ArrayList<>();
      for (long arrival = 40; arrival >= 1; arrival--) { // the latest arrival asks first
        long mine = arrival;
        turns.add(budget.turn(GET, mine, scope(Duration.ofSeconds(20))).onSuccess(ok -> granted.add(mine)));
      }
      asked.complete(turns);
    });
    await(await(asked.future()).stream().reduce(Future.succeededFuture(), (a, b) -> a.compose(x -> b)));

    List<Long> expected = new ArrayList<>();
    for (long arrival = 1; arrival <= 40; arrival++) {
      expected.add(arrival);
    }
    assertThat(granted).containsExactlyElementsOf(expected);
    assertThat(budget.snapshot().getJsonObject("getCloudPc").getInteger("waiting")).isZero();
  }

  @Test
  void aTurnThatCannotComeBeforeTheDeadlineIsRefusedAtOnceWithItsRetryAfter() {
    AppBudget budget = budget(62); // one a second
    List<Future<Void>> early = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      early.add(budget.turn(GET, i, scope(Duration.ofSeconds(30))));
    }
    long asked = System.nanoTime();
    Future<Void> late = budget.turn(GET, 100, scope(Duration.ofMillis(2_500)));
    Throwable refusal = await(late.transform(ar -> Future.succeededFuture(ar.cause())));
    long waitedMs = (System.nanoTime() - asked) / 1_000_000;

    assertThat(refusal).isInstanceOf(ProblemException.class);
    var problem = ((ProblemException) refusal).problem();
    assertThat(problem.status()).isEqualTo(429);
    assertThat(problem.slug()).isEqualTo("graph-budget-spent");
    assertThat(problem.detail()).contains("Get Cloud PC").contains("Nothing was sent");
    assertThat(Long.parseLong(problem.headers().get("Retry-After"))).as("its turn is behind three at 1/s")
        .isBetween(2L, 5L);
    assertThat(waitedMs).as("answered at once, not at the deadline").isLessThan(500);
    await(Future.all(early));
  }

  @Test
  void aWaiterWhoseDeadlineComesFirstIsRefusedThenAndTheOthersKeepTheirTurns() {
    AppBudget budget = budget(62);
    budget.throttled(GET, Duration.ofMillis(1_500));
    Future<Void> patient = budget.turn(GET, 1, scope(Duration.ofSeconds(20)));
    Future<Void> hurried = budget.turn(GET, 2, scope(Duration.ofMillis(2_100))); // estimate fits, the pause ends late
    budget.throttled(GET, Duration.ofSeconds(3)); // Graph asks for a longer pause meanwhile

    Throwable refusal = await(hurried.transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(refusal).isInstanceOf(ProblemException.class);
    assertThat(((ProblemException) refusal).problem().status()).isEqualTo(429);
    await(patient);
  }

  @Test
  void healthShowsThePauseAndWhoWaits() {
    AppBudget budget = budget(270);
    budget.throttled(GET, Duration.ofSeconds(2));
    Future<Void> waiting = budget.turn(GET, 1, scope(Duration.ofSeconds(20)));

    var get = budget.snapshot().getJsonObject("getCloudPc");
    assertThat(get.getString("documentedName")).isEqualTo("Get Cloud PC");
    assertThat(get.getInteger("limitPerMinute")).isEqualTo(270);
    assertThat(get.getInteger("pacedPerMinute")).isEqualTo(261);
    assertThat(get.getInteger("waiting")).isEqualTo(1);
    assertThat(get.getString("pausedUntil")).isNotNull();
    assertThat(budget.snapshot().getJsonObject("listCloudPcs").getInteger("limitPerMinute")).isEqualTo(90);
    await(waiting);
    assertThat(budget.snapshot().getJsonObject("getCloudPc").getInteger("usedLastMinute")).isEqualTo(1);
  }
}
