package dev.cloudpc.reprovision.graph;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Reading identity endpoints' answers leniently: numbers that may be strings, bodies that may not be JSON. */
final class IdentityAnswers {
  private IdentityAnswers() {
  }

  static JsonObject json(HttpResponse<Buffer> response) {
    try {
      return response.body() == null ? null : response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  static long seconds(Object value, long fallback) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  /** Entra's descriptions carry trace and correlation ids on later lines; the first line says what is wrong. */
  static String firstLine(String text) {
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    return line.length() > 300 ? line.substring(0, 300) : line.trim();
  }
}
