package dev.cloudpc.reprovision.bench;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JDK-only peer (issue 14): the lightest thread-per-request function, the lower bound beside the Graph-SDK peer
 * ({@code SdkPeerFunction}) — blocking, ONE Graph call per request ({@code POST …/cloudPCs/{id}/reprovision}),
 * validating nothing, on {@link PeerHost}. {@code java.net.http.HttpClient}'s synchronous {@code send}; the app-only
 * token is fetched lazily on the first request, as an SDK credential does, and reused. JDK only, so it starts from
 * the test classes with {@code java -cp}. Same environment as the product.
 */
public final class PeerFunction {
  private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String graph;
  private final String tokenUrl;
  private final String tokenForm;
  private volatile String token;

  private PeerFunction() {
    String authority = System.getenv("AZURE_AUTHORITY_HOST");
    this.graph = System.getenv("GRAPH_BASE_URL");
    this.tokenUrl = authority + "/" + System.getenv("AZURE_TENANT_ID") + "/oauth2/v2.0/token";
    this.tokenForm = "grant_type=client_credentials&client_id=" + encode(System.getenv("AZURE_CLIENT_ID"))
        + "&client_secret=" + encode(System.getenv("AZURE_CLIENT_SECRET")) + "&scope=" + encode(graph + "/.default");
  }

  public static void main(String[] args) throws IOException {
    PeerHost.serve(new PeerFunction()::reprovision);
  }

  private void reprovision(HttpExchange exchange, String cloudPcId) throws IOException {
    try {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(graph
              + "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + cloudPcId + "/reprovision"))
          .header("Authorization", "Bearer " + token())
          .header("Content-Type", "application/json")
          .header("User-Agent", "reprovision-bench-peer/1.0")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() == 204) {
        PeerHost.accepted(exchange, cloudPcId, answer.headers().firstValue("request-id").orElse(""));
      } else {
        PeerHost.problem(exchange, 502, "Graph refused the reprovision", "Graph answered " + answer.statusCode()
            + ".");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One token for the process, fetched by the first request that needs it (what an SDK credential does). */
  private String token() throws IOException, InterruptedException {
    String current = token;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (token == null) {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(tokenUrl))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(tokenForm)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher value = ACCESS_TOKEN.matcher(answer.body());
        if (answer.statusCode() != 200 || !value.find()) {
          throw new IOException("token endpoint answered " + answer.statusCode());
        }
        token = value.group(1);
      }
      return token;
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
