package dev.cloudpc.reprovision.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's peer (issue 14): a stand-in for a conventional Graph-SDK function — blocking, one thread per
 * request, ONE Graph call per request ({@code POST …/cloudPCs/{id}/reprovision}), validating nothing. A
 * {@code com.sun.net.httpserver} server on a cached thread pool and {@code java.net.http.HttpClient}'s synchronous
 * {@code send}; the app-only token is fetched lazily on the first request, as an SDK credential does, and reused.
 * JDK only, so it starts from the test classes with {@code java -cp}. Same environment as the product; prints the
 * same {@code READY http://127.0.0.1:<port>} line.
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
    int port = Integer.parseInt(System.getenv("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/api/", new PeerFunction()::handle);
    server.start();
    System.out.println("READY http://127.0.0.1:" + port);
    System.out.flush();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
      Matcher route = PeerReplies.ROUTE.matcher(exchange.getRequestURI().getPath());
      if (!"POST".equals(exchange.getRequestMethod()) || !route.matches()) {
        PeerReplies.notFound(exchange);
        return;
      }
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(graph
              + "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + route.group(1) + "/reprovision"))
          .header("Authorization", "Bearer " + token())
          .header("Content-Type", "application/json")
          .header("User-Agent", "reprovision-bench-peer/1.0")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      String requestId = answer.headers().firstValue("request-id").orElse("");
      if (answer.statusCode() == 204) {
        PeerReplies.accepted(exchange, route.group(1), requestId);
      } else {
        PeerReplies.problem(exchange, 502, "Graph refused the reprovision", "Graph answered "
            + answer.statusCode() + ".");
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
