package dev.cloudpc.reprovision.function;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.http.Handover;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dropped-body refusal belongs to the Functions hand-over only: the local host decodes chunked bodies itself and
 * keeps honouring them, and no caller can raise the hand-over's mark from outside.
 */
class LocalHostBodiesTest extends StrictVertxTest {
  private static final String OPTIONS = "{\"osVersion\":\"windows11\"}";

  private static TestStack stack;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    stack = TestStack.start(vertx, Map.of());
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @BeforeEach
  void reset() {
    stack.tenant.graph().reset();
  }

  @Test
  void aChunkedBodyReachesGraphOnTheLocalHost(VertxTestContext test) {
    post(SandboxSeed.MEGAN_CLOUD_PCS.get(1), true, Map.of()).onComplete(test.succeeding(status -> test.verify(() -> {
      assertThat(status).isEqualTo(202);
      assertThat(stack.tenant.graph().requests()).filteredOn(r -> r.path().endsWith("/reprovision"))
          .singleElement().satisfies(post -> assertThat(post.body()).contains("windows11"));
      test.completeNow();
    })));
  }

  @Test
  void aCallerCannotClaimTheHostDroppedItsBody(VertxTestContext test) {
    post(SandboxSeed.ADELE_CLOUD_PCS.get(0), false, Map.of(Handover.BODY_DROPPED, "true"))
        .onComplete(test.succeeding(status -> test.verify(() -> {
          assertThat(status).isEqualTo(202);
          assertThat(stack.tenant.graph().requests()).filteredOn(r -> r.path().endsWith("/reprovision"))
              .singleElement().satisfies(post -> assertThat(post.body()).contains("windows11"));
          test.completeNow();
        })));
  }

  private Future<Integer> post(String pc, boolean chunked, Map<String, String> extra) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(stack.app.port()).setURI("/api/cloudpcs/" + pc + "/reprovision")
        .putHeader("x-functions-key", stack.tenant.functionKey())
        .putHeader("Authorization", "Bearer " + stack.adminToken())
        .putHeader("Content-Type", "application/json");
    extra.forEach(options::putHeader);
    return client.request(options).compose(request -> request.setChunked(chunked).send(Buffer.buffer(OPTIONS)))
        .compose(response -> response.body().map(body -> response.statusCode()));
  }
}
