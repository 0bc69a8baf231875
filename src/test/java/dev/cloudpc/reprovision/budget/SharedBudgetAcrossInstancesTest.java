package dev.cloudpc.reprovision.budget;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.store.SharedStore;
import dev.cloudpc.reprovision.store.StoreOptions;
import dev.cloudpc.reprovision.store.Stores;
import dev.cloudpc.reprovision.support.Azurite;
import dev.cloudpc.reprovision.support.Eventually;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two instances of the app sharing one storage account (Azurite) spend ONE Graph budget between them, as Functions'
 * scale-out requires: Microsoft's limits are per app, not per instance. And an instance that dies holding leased
 * seconds costs the others at most those seconds.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SharedBudgetAcrossInstancesTest extends StrictVertxTest {
  private static final String GET_PC = ".*/cloudPCs/[^/]+";
  private static Azurite azurite;

  private SandboxTenant tenant;
  private final List<TestStack> stacks = new ArrayList<>();
  private final List<Vertx> others = new ArrayList<>();

  @BeforeAll
  static void azurite() {
    azurite = Azurite.shared();
  }

  @AfterEach
  void stop() {
    stacks.forEach(s -> await(s.app.close()));
    others.forEach(v -> await(v.close()));
    await(tenant.close());
  }

  private Map<String, String> settings(int getPerMinute, String table) {
    return Map.of("AzureWebJobsStorage", azurite.connectionString(), "REPROVISION_STATE_TABLE", table,
        "GRAPH_GET_CLOUD_PC_PER_MINUTE", Integer.toString(getPerMinute));
  }

  private TestStack instance(Vertx on, int getPerMinute, String table) {
    TestStack stack = TestStack.start(on, tenant, settings(getPerMinute, table));
    if (on == vertx) {
      stacks.add(stack);
    }
    return stack;
  }

  private void tenant(int getPerMinute) {
    tenant = await(SandboxTenant.start(vertx, SandboxOptions.defaults().withExtraCloudPcs(200)
        .withGraphLimits(new GraphLimits(getPerMinute, 2 * getPerMinute, 90, 180))));
  }

  @Test
  void twoInstancesTogetherStayWithinOneBudget() {
    tenant(620); // ten a second for the app
    String table = "sharedBudget" + System.nanoTime();
    TestStack one = instance(vertx, 620, table);
    TestStack two = instance(vertx, 620, table);
    String admin = one.adminToken();
    List<Future<HttpResponse<Buffer>>> reprovisions = new ArrayList<>();
    WebClient toOne = wide(one);
    WebClient toTwo = wide(two);
    for (int i = 0; i < 60; i++) {
      reprovisions.add(reprovision(toOne, one, SandboxSeed.extraCloudPcId(i), admin));
      reprovisions.add(reprovision(toTwo, two, SandboxSeed.extraCloudPcId(100 + i), admin));
    }
    await(Future.all(reprovisions));

    assertThat(reprovisions).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(202));
    assertThat(tenant.graph().throttledCount()).as("Graph never had to throttle the app").isZero();
    List<RecordedRequest> gets = gets();
    assertThat(gets).hasSize(120);
    // Each second's share may be sent anywhere in that second, so two shares can meet across a boundary: count over
    // three-second windows, where the app's pace allows 30 plus one share, and two budgets would send about 60.
    for (RecordedRequest from : gets) {
      long inWindow = gets.stream().filter(r -> !r.at().isBefore(from.at())
          && r.at().isBefore(from.at().plusSeconds(3))).count();
      assertThat(inWindow).as("reads in the 3 s from %s", from.at()).isLessThanOrEqualTo(40);
    }
    Duration span = Duration.between(gets.get(0).at(), gets.get(gets.size() - 1).at());
    assertThat(span).as("120 decisions at the app's rate take about 12 s; two budgets would take 6")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anInstanceThatDiesHoldingLeasesCostsTheOthersOnlyThoseSeconds() {
    tenant(62); // one a second for the app
    String table = "deadLease" + System.nanoTime();
    Vertx doomedVertx = Vertx.vertx();
    others.add(doomedVertx);
    TestStack doomed = instance(doomedVertx, 62, table);
    TestStack survivor = instance(vertx, 62, table);
    String admin = survivor.adminToken();
    WebClient toDoomed = wide(doomed);
    for (int i = 0; i < 10; i++) {
      reprovision(toDoomed, doomed, SandboxSeed.extraCloudPcId(i), admin); // never answered: the instance dies
    }
    await(Eventually.until(vertx, () -> gets().size() >= 2)); // it sends one a second and leases a few seconds ahead
    await(doomedVertx.close());
    others.remove(doomedVertx);
    Instant died = Instant.now();
    int sentBeforeDeath = gets().size();
    // A lease ends with its second (the row expires then): read what the dead instance holds before that.
    Set<Long> deadLeases = leasedSeconds(survivor, died.getEpochSecond(), died.getEpochSecond() + 5);

    List<Future<HttpResponse<Buffer>>> reprovisions = new ArrayList<>();
    WebClient toSurvivor = wide(survivor);
    for (int i = 0; i < 4; i++) {
      reprovisions.add(reprovision(toSurvivor, survivor, SandboxSeed.extraCloudPcId(100 + i), admin));
    }
    await(Future.all(reprovisions));

    assertThat(reprovisions).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(202));
    assertThat(tenant.graph().throttledCount()).isZero();
    List<RecordedRequest> survivorGets = gets().subList(sentBeforeDeath, gets().size());
    assertThat(survivorGets).hasSize(4);
    assertThat(deadLeases).as("the dying instance held seconds ahead").isNotEmpty();
    Set<Long> survivorSeconds = survivorGets.stream().map(r -> r.at().getEpochSecond()).collect(Collectors.toSet());
    assertThat(survivorSeconds).as("nobody sent in the dead instance's seconds").doesNotContainAnyElementsOf(
        deadLeases);
    assertThat(Duration.between(died, survivorGets.get(0).at())).as("it waited at most those seconds")
        .isLessThan(Duration.ofSeconds(deadLeases.size() + 2));
  }

  /** Seconds in [from, to] leased (for Get Cloud PC) by any instance, as the shared table holds them now. */
  private Set<Long> leasedSeconds(TestStack stack, long from, long to) {
    SharedStore store = Stores.create(vertx, StoreOptions.from(stack.app.settings()), Telemetry.none());
    Set<Long> leased = new java.util.TreeSet<>();
    for (long second = from; second <= to; second++) {
      var entry = await(store.find(new SharedStore.Key("budget", "getCloudPc-" + Math.floorMod(second, 86_400))));
      if (entry != null && entry.value().getLong("bucket") == second) {
        leased.add(second);
      }
    }
    return leased;
  }

  private List<RecordedRequest> gets() {
    return tenant.graph().requests().stream().filter(r -> r.method().equals("GET") && r.path().matches(GET_PC))
        .toList();
  }

  private WebClient wide(TestStack stack) {
    return WebClient.create(stack.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(stack.app.port()), new PoolOptions().setHttp1MaxSize(200));
  }

  private static Future<HttpResponse<Buffer>> reprovision(WebClient client, TestStack stack, String pc,
                                                          String token) {
    return client.post("/api/cloudpcs/" + pc + "/reprovision").putHeader("x-functions-key", stack.tenant.functionKey())
        .putHeader("Authorization", "Bearer " + token).send();
  }

}
