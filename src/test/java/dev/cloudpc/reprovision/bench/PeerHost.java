package dev.cloudpc.reprovision.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What both peers (the JDK-only {@link PeerFunction} and the Graph-SDK one) share: the Functions host's stand-in — a
 * {@code com.sun.net.httpserver} server on {@code PORT} with a cached thread pool, so a thread per request — the
 * route {@code POST /api/cloudpcs/{id}/reprovision}, the answers, and the product's {@code READY} line.
 */
final class PeerHost {
  private static final Pattern ROUTE = Pattern.compile("^/api/cloudpcs/([^/]+)/reprovision$");

  /** A peer's work for one reprovision, on the request's own thread; it answers through {@code exchange}. */
  interface Reprovision {
    void handle(HttpExchange exchange, String cloudPcId) throws IOException;
  }

  private PeerHost() {
  }

  static void serve(Reprovision peer) throws IOException {
    int port = Integer.parseInt(System.getenv("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/api/", exchange -> dispatch(exchange, peer));
    server.start();
    System.out.println("READY http://127.0.0.1:" + port);
    System.out.flush();
  }

  private static void dispatch(HttpExchange exchange, Reprovision peer) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
      Matcher route = ROUTE.matcher(exchange.getRequestURI().getPath());
      if ("POST".equals(exchange.getRequestMethod()) && route.matches()) {
        peer.handle(exchange, route.group(1));
      } else {
        problem(exchange, 404, "Not found", "Only POST /api/cloudpcs/{id}/reprovision exists here.");
      }
    }
  }

  static void accepted(HttpExchange exchange, String cloudPcId, String graphRequestId) throws IOException {
    send(exchange, 202, "application/json", "{\"cloudPcId\":\"" + cloudPcId + "\",\"graphRequestId\":\""
        + graphRequestId + "\"}");
  }

  /** A problem JSON; {@code detail} must carry no secret. */
  static void problem(HttpExchange exchange, int status, String title, String detail) throws IOException {
    send(exchange, status, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"" + escape(title)
        + "\",\"status\":" + status + ",\"detail\":\"" + escape(detail) + "\"}");
  }

  private static void send(HttpExchange exchange, int status, String type, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
