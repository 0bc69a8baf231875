package dev.cloudpc.reprovision.sandbox;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Benchmark-sized tenant: 100,000 generated Cloud PCs and 1,000 requests in flight at once. */
class SandboxScaleTest extends SandboxTestBase {

  private static final int EXTRA = 100_000;
  private static final String CLOUD_PCS = "/beta/deviceManagement/virtualEndpoint/cloudPCs/";

  @Override
  SandboxOptions options() {
    return super.options().withExtraCloudPcs(EXTRA).withRebuildTime(Duration.ofSeconds(5))
        .withGraphLimits(GraphLimits.generous());
  }

  @Test
  void generatedPcsAndUsersExistOnlyWithinTheConfiguredCount() {
    String last = SandboxGraph.extraCloudPcId(EXTRA - 1);
    SandboxUser owner = SandboxGraph.extraUser(42);

    assertThat(getPc(last).bodyAsJsonObject().getString("userPrincipalName"))
        .isEqualTo("bench-user-" + (EXTRA - 1) + "@contoso.sandbox");
    assertThat(getPc(SandboxGraph.extraCloudPcId(EXTRA)).statusCode()).isEqualTo(404);
    JsonArray owned = send(graph(HttpMethod.GET, CLOUD_PCS.substring(0, CLOUD_PCS.length() - 1))
        .addQueryParam("$filter", "userPrincipalName eq '" + owner.userPrincipalName() + "'"))
        .bodyAsJsonObject().getJsonArray("value");
    assertThat(owned).hasSize(1);
    assertThat(owned.getJsonObject(0).getString("id")).isEqualTo(SandboxGraph.extraCloudPcId(42));
    assertThat(send(graph(HttpMethod.GET, "/beta/users/" + owner.id())).bodyAsJsonObject()
        .getString("userPrincipalName")).isEqualTo("bench-user-42@contoso.sandbox");
    assertThat(send(graph(HttpMethod.GET, "/beta/users/bench-user-" + EXTRA + "@contoso.sandbox")).statusCode())
        .isEqualTo(404);
    assertThat(sandbox.graph().cloudPcs()).hasSize(5);
  }

  @Test
  void thousandConcurrentReprovisionsOfDistinctPcsAllStart() {
    sandbox.graph().setLatency(Duration.ofMillis(20));
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      inFlight.add(graph(HttpMethod.POST, CLOUD_PCS + SandboxGraph.extraCloudPcId(i * 97) + "/reprovision").send());
    }

    Map<Integer, Long> statuses = await(Future.all(inFlight)).<HttpResponse<Buffer>>list().stream()
        .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));

    assertThat(statuses).isEqualTo(Map.of(204, 1000L));
    assertThat(sandbox.graph().cloudPc(SandboxGraph.extraCloudPcId(97)).status()).isEqualTo("provisioning");
    assertThat(sandbox.graph().count("POST", ".*/reprovision")).isEqualTo(1000);
  }

  @Test
  void concurrentReprovisionsOfOnePcStartExactlyOneRebuild() {
    String pc = SandboxGraph.extraCloudPcId(7);
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      inFlight.add(graph(HttpMethod.POST, CLOUD_PCS + pc + "/reprovision").send());
    }

    Map<Integer, Long> statuses = await(Future.all(inFlight)).<HttpResponse<Buffer>>list().stream()
        .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));

    assertThat(statuses).isEqualTo(Map.of(204, 1L, 409, 299L));
    assertThat(sandbox.graph().executedReprovisions(pc)).isEqualTo(1);
  }

  @Test
  void thousandConcurrentReadsAnswerCorrectly() {
    List<String> ids = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(SandboxGraph.extraCloudPcId(i * 13));
      inFlight.add(getPcAsync(ids.get(i)));
    }

    List<HttpResponse<Buffer>> responses = await(Future.all(inFlight)).list();

    assertThat(responses).allMatch(r -> r.statusCode() == 200);
    assertThat(responses.stream().map(r -> r.bodyAsJsonObject().getString("id")).toList()).isEqualTo(ids);
    assertThat(responses.stream().map(r -> r.getHeader("request-id")).distinct().count()).isEqualTo(1000);
  }

  private Future<HttpResponse<Buffer>> getPcAsync(String id) {
    return graph(HttpMethod.GET, CLOUD_PCS + id).send();
  }
}
