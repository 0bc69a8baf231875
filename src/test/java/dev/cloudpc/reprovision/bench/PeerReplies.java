package dev.cloudpc.reprovision.bench;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The route and the answers both peers share (the JDK-only {@link PeerFunction} and the Graph-SDK one). */
final class PeerReplies {
  static final Pattern ROUTE = Pattern.compile("^/api/cloudpcs/([^/]+)/reprovision$");

  private PeerReplies() {
  }

  static void accepted(HttpExchange exchange, String cloudPcId, String graphRequestId) throws IOException {
    send(exchange, 202, "application/json", "{\"cloudPcId\":\"" + cloudPcId + "\",\"graphRequestId\":\""
        + graphRequestId + "\"}");
  }

  static void notFound(HttpExchange exchange) throws IOException {
    problem(exchange, 404, "Not found", "Only POST /api/cloudpcs/{id}/reprovision exists here.");
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
