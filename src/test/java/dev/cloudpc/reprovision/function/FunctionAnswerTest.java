package dev.cloudpc.reprovision.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import dev.cloudpc.reprovision.support.FakeHttpRequest;
import dev.cloudpc.reprovision.support.FakeInvocation;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The entry point's own part, with a stand-in router: what it makes of the worker's request, and how the router's
 * answer fits the worker's response message (one value per header name).
 */
class FunctionAnswerTest {
  private static final String SITE = "https://cloudpc-fn.azurewebsites.net";

  private final AtomicReference<RouterHandover.Inbound> forwarded = new AtomicReference<>();

  private ReprovisionFunctions answering(MultiMap headers) {
    return new ReprovisionFunctions(inbound -> {
      forwarded.set(inbound);
      return new RouterHandover.Answer(401, headers, "{}");
    });
  }

  @Test
  void repeatedResponseHeadersAreJoinedIntoTheOneValueTheWorkerKeeps() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("WWW-Authenticate", "Bearer realm=\"api\", error=\"invalid_token\"")
        .add("www-authenticate", "Basic realm=\"api\"")
        .add("Allow", "GET").add("Allow", "POST")
        .add("Content-Type", "text/plain").add("content-type", "application/problem+json")
        .add("Content-Length", "2").add("Transfer-Encoding", "chunked");

    HttpResponseMessage response = answering(headers).status(FakeHttpRequest.to(HttpMethod.GET,
        SITE + "/api/cloudpcs/x").build(), FakeHttpRequest.context("inv-h"));

    assertThat(FakeHttpRequest.headersOf(response)).containsOnlyKeys("www-authenticate", "allow", "content-type");
    assertThat(response.getHeader("www-authenticate"))
        .isEqualTo("Bearer realm=\"api\", error=\"invalid_token\", Basic realm=\"api\"");
    assertThat(response.getHeader("allow")).isEqualTo("GET, POST");
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
  }

  @Test
  void aPathTheJdkCannotParseIsRefusedBeforeTheRouter() {
    FakeInvocation invocation = FakeHttpRequest.context("inv-p");
    HttpResponseMessage response = answering(MultiMap.caseInsensitiveMultiMap()).status(
        FakeHttpRequest.to(HttpMethod.GET, SITE + "/api/cloudpcs/a%zz").build(), invocation);
    invocation.finish();

    assertThat(forwarded.get()).isNull();
    assertThat(response.getStatusCode()).isEqualTo(400);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(response.getHeader("client-request-id")).isNotBlank();
    assertThat(new JsonObject((String) response.getBody()).getString("detail")).contains("path");
    assertThat(invocation.lines()).singleElement().asString()
        .contains("inv=inv-p", "traceparent=" + invocation.traceparent(), "refused 400 url-not-parseable");
  }

  @Test
  void illegalQueryCharactersReachTheRouterPercentEncoded() {
    answering(MultiMap.caseInsensitiveMultiMap()).status(FakeHttpRequest.to(HttpMethod.GET,
        SITE + "/api/cloudpcs/x?flow=a|b^c&note=\"q\"").build(), FakeHttpRequest.context("inv-q"));

    assertThat(forwarded.get().pathAndQuery()).isEqualTo("/api/cloudpcs/x?flow=a%7Cb%5Ec&note=%22q%22");
    assertThat(forwarded.get().origin()).isEqualTo(SITE);
  }

  @Test
  void theInvocationsTraceContextAndACallersRequestIdAreHandedOver() {
    FakeInvocation invocation = FakeHttpRequest.context("inv-t");
    answering(MultiMap.caseInsensitiveMultiMap()).status(FakeHttpRequest.to(HttpMethod.GET,
        SITE + "/api/cloudpcs/x").header("Client-Request-Id", "7b0c3a4e-2f1d-4c6b-9e8a-5d4c3b2a1f0e").build(),
        invocation);

    assertThat(forwarded.get().traceparent()).isEqualTo(invocation.traceparent());
    assertThat(forwarded.get().clientRequestId()).isEqualTo("7b0c3a4e-2f1d-4c6b-9e8a-5d4c3b2a1f0e");
    assertThat(forwarded.get().invocationId()).isEqualTo("inv-t");
  }

  @Test
  void aRouterThatCouldNotStartStillAnswersAProblemWithTheRequestsId() {
    HttpResponseMessage response = new ReprovisionFunctions(inbound -> RouterHandover.startFailure(inbound,
        new IllegalStateException("AZURE_TENANT_ID is required"))).status(FakeHttpRequest.to(HttpMethod.GET,
        SITE + "/api/cloudpcs/x").header("client-request-id", "7b0c3a4e-2f1d-4c6b-9e8a-5d4c3b2a1f0e").build(),
        FakeHttpRequest.context("inv-s"));

    assertThat(response.getStatusCode()).isEqualTo(500);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(response.getHeader("client-request-id")).isEqualTo("7b0c3a4e-2f1d-4c6b-9e8a-5d4c3b2a1f0e");
    assertThat(new JsonObject((String) response.getBody()).getString("detail")).contains("AZURE_TENANT_ID");
  }
}
