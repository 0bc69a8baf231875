package dev.cloudpc.reprovision.cloudpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reprovision driven the way Logic Apps and Power Automate drive the async request-reply pattern: POST, then GET the
 * Location while the answer is 202, waiting Retry-After between polls — while the flow's retries repeat the POST.
 */
class LogicAppsClientTest extends StrictVertxTest {
  private static final String PC = SandboxSeed.MEGAN_CLOUD_PCS.get(1);

  private static TestStack stack;

  @BeforeAll
  static void start() {
    SandboxTenant tenant = Await.await(SandboxTenant.start(vertx,
        SandboxOptions.defaults().withRebuildTime(Duration.ofMillis(2500))));
    stack = TestStack.start(vertx, tenant, Map.of("POLL_RETRY_AFTER_SECONDS", "1"));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void oneRequestEnds200AfterTheRebuildAndRepeatsNeverReachGraph(VertxTestContext test) {
    String token = stack.adminToken();
    List<Integer> polls = new ArrayList<>();
    List<String> repeats = new ArrayList<>();
    stack.post("/api/cloudpcs/" + PC + "/reprovision", token)
        .compose(first -> {
          assertThat(first.statusCode()).isEqualTo(202);
          // The flow's retry policy fires the same POST three more times while the rebuild runs.
          Future<Void> retries = Future.succeededFuture();
          for (int i = 0; i < 3; i++) {
            retries = retries.compose(v -> stack.post("/api/cloudpcs/" + PC + "/reprovision", token)
                .map(repeat -> {
                  repeats.add(repeat.statusCode() + " " + repeat.bodyAsJsonObject().getString("status"));
                  return null;
                }));
          }
          return retries.compose(v -> follow(first, polls));
        })
        .onComplete(test.succeeding(last -> test.verify(() -> {
          assertThat(repeats).containsExactly("202 alreadyRunning", "202 alreadyRunning", "202 alreadyRunning");
          assertThat(polls).first().isEqualTo(202);
          assertThat(last.statusCode()).isEqualTo(200);
          assertThat(last.bodyAsJsonObject().getString("state")).isEqualTo("succeeded");
          assertThat(stack.tenant.graph().count("POST", ".*/reprovision")).isEqualTo(1);
          assertThat(stack.tenant.graph().executedReprovisions(PC)).isEqualTo(1);
          test.completeNow();
        })));
  }

  /**
   * GET Location while 202, each time after the Retry-After the previous answer asked for — with the function key as
   * the URL carries it but without the caller's token, as Power Automate has been reported to poll.
   */
  private Future<HttpResponse<Buffer>> follow(HttpResponse<Buffer> previous, List<Integer> polls) {
    long waitMs = Long.parseLong(previous.getHeader("Retry-After")) * 1000;
    return vertx.timer(waitMs)
        .compose(v -> stack.client.getAbs(previous.getHeader("Location"))
            .putHeader("x-functions-key", stack.tenant.functionKey()).send())
        .compose(response -> {
          polls.add(response.statusCode());
          return response.statusCode() == 202 && polls.size() < 30 ? follow(response, polls)
              : Future.succeededFuture(response);
        });
  }
}
