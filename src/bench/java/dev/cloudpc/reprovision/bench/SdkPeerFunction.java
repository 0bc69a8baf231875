package dev.cloudpc.reprovision.bench;

import com.azure.core.credential.TokenCredential;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import com.microsoft.kiota.HttpMethod;
import com.microsoft.kiota.RequestAdapter;
import com.microsoft.kiota.RequestInformation;
import com.microsoft.kiota.authentication.AzureIdentityAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.HeadersInspectionOption;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Issue 14's peer as the issue defines it: the same function written the conventional way with Microsoft's Graph Java
 * SDK (6.55.0) — blocking, one thread per request on {@link PeerHost} (the Functions host's stand-in), one
 * {@link GraphServiceClient} built at start-up, ONE Graph call per request, validating nothing. Same environment,
 * route and answers as {@link PeerFunction}. Compiled only under {@code -Pbench}
 * (src/bench/java), started by the bench with the test classpath.
 *
 * <p>The call is v1.0 {@code POST /deviceManagement/virtualEndpoint/cloudPCs/{id}/reprovision} with no body: both
 * parameters are optional and the answer is 204 (api-reference/v1.0/api/cloudpc-reprovision.md). SDK 6.55.0 has no
 * builder for this action ({@code CloudPCItemRequestBuilder} offers endGracePeriod, reboot, rename, resize, restore and
 * troubleshoot only), so the request is described as the SDK's generated action builders describe theirs (URL
 * template, path parameters, {@code Accept}, ODataError mapping) and sent through the client's own request adapter:
 * the same middleware (retry, redirect, telemetry, auth provider) as {@code ….reprovision().post(body)} would use.
 */
public final class SdkPeerFunction {
  private static final String REPROVISION =
      "{+baseurl}/deviceManagement/virtualEndpoint/cloudPCs/{cloudPC%2Did}/reprovision";
  private static final HashMap<String, ParsableFactory<? extends Parsable>> ERRORS =
      new HashMap<>(Map.of("XXX", ODataError::createFromDiscriminatorValue));

  private final RequestAdapter graph;

  private SdkPeerFunction(RequestAdapter graph) {
    this.graph = graph;
  }

  public static void main(String[] args) throws IOException {
    String graphBase = System.getenv("GRAPH_BASE_URL");
    TokenCredential credential = new ClientSecretTokenCredential(URI.create(System.getenv("AZURE_AUTHORITY_HOST")),
        System.getenv("AZURE_TENANT_ID"), System.getenv("AZURE_CLIENT_ID"), System.getenv("AZURE_CLIENT_SECRET"));
    // The SDK's auth provider attaches a token only to allowed hosts (Graph's own by default): allow the fake Graph.
    // Its default scope would be scheme://host/.default, without the port the sandbox's audience has: name it.
    AzureIdentityAuthenticationProvider auth = new AzureIdentityAuthenticationProvider(credential,
        new String[] {URI.create(graphBase).getHost()}, graphBase + "/.default");
    GraphServiceClient client = new GraphServiceClient(auth);
    client.getRequestAdapter().setBaseUrl(graphBase + "/v1.0");

    PeerHost.serve(new SdkPeerFunction(client.getRequestAdapter())::handle);
  }

  private void handle(HttpExchange exchange, String cloudPcId) throws IOException {
    try {
      PeerHost.accepted(exchange, cloudPcId, reprovision(cloudPcId));
    } catch (ApiException e) {
      PeerHost.problem(exchange, 502, "Graph refused the reprovision", "Graph answered "
          + e.getResponseStatusCode() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      PeerHost.problem(exchange, 502, "Graph could not be reached", e.getClass().getSimpleName() + ": "
          + e.getMessage());
    }
  }

  /** Sends the reprovision; returns Graph's {@code request-id}. */
  private String reprovision(String cloudPcId) {
    // Mutable: the adapter adds the base URL to the path parameters.
    RequestInformation request = new RequestInformation(HttpMethod.POST, REPROVISION,
        new HashMap<>(Map.of("cloudPC%2Did", cloudPcId)));
    request.headers.tryAdd("Accept", "application/json");
    HeadersInspectionOption inspection = new HeadersInspectionOption(false, true);
    request.addRequestOptions(List.of(inspection));
    graph.sendPrimitive(request, ERRORS, Void.class);
    Set<String> requestId = inspection.getResponseHeaders().get("request-id");
    return requestId == null || requestId.isEmpty() ? "" : requestId.iterator().next();
  }
}
