package dev.cloudpc.reprovision.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Requests refused at the edges: by the HTTP decoder, by strict JSON, and refusals that must still be audited. */
class MalformedRequestsTest extends StrictVertxTest {
  private static final String PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);

  private static TestStack stack;

  @BeforeAll
  static void start() {
    stack = TestStack.start(vertx, Map.of());
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void anOversizedHeaderIsAProblemToo(VertxTestContext test) {
    stack.request(HttpMethod.POST, "/api/cloudpcs/" + PC + "/reprovision", "x".repeat(20_000)).send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(431);
          assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
          assertThat(response.bodyAsJsonObject().getString("detail")).contains("8 KiB");
          assertThat(stack.tenant.graph().requests()).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void aFieldGivenTwiceIsRefusedRatherThanGuessed(VertxTestContext test) {
    stack.postJson("/api/cloudpcs/" + PC + "/reprovision", stack.adminToken(),
            "{\"osVersion\":\"windows11\",\"osVersion\":\"windows10\"}")
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(400);
          assertThat(response.bodyAsJsonObject().getString("type")).endsWith(":duplicate-field");
          assertThat(stack.reprovisionPosts()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void tokenChosenTextInTheChallengeCannotBreakTheHeader(VertxTestContext test) {
    String header = Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"alg\":\"x\\r\\nSet-Cookie: a=b\",\"kid\":\"k\"}".getBytes(StandardCharsets.UTF_8));
    stack.post("/api/cloudpcs/" + PC + "/reprovision", header + ".e30.c2ln")
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(401);
          assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\"")
              .doesNotContain("\r").doesNotContain("\n");
          assertThat(response.getHeader("Set-Cookie")).isNull();
          test.completeNow();
        })));
  }

  @Test
  void aBulkOperationIdNamesNoMorePcsThanABulkRequestMay(VertxTestContext test) {
    byte[] ids = new byte[16 * 101];
    String operation = System.currentTimeMillis() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(ids);
    stack.get("/api/cloudpcs/reprovision/operations/" + operation, stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(404);
          assertThat(stack.tenant.graph().requests()).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void aMissingRoleRefusalIsAudited(VertxTestContext test) {
    Logger audit = (Logger) LoggerFactory.getLogger("audit");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    audit.addAppender(lines);
    stack.post("/api/cloudpcs/" + PC + "/reprovision", stack.userToken(SandboxSeed.ADELE))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          audit.detachAppender(lines);
          assertThat(response.statusCode()).isEqualTo(403);
          assertThat(lines.list).map(e -> e.getKeyValuePairs().stream()
                  .collect(java.util.stream.Collectors.toMap(kv -> kv.key, kv -> String.valueOf(kv.value))))
              .anySatisfy(fields -> assertThat(fields)
                  .containsEntry("outcome", "refused")
                  .containsEntry("cloudPcId", PC)
                  .containsEntry("reason", "missing-permission")
                  .containsEntry("callerObjectId", SandboxSeed.ADELE.id()));
          test.completeNow();
        })));
  }
}
