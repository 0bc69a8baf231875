package dev.cloudpc.reprovision.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Refuses paths that could smuggle another route or resource past the router's matching: encoded slashes or
 * backslashes, dot segments (plain or encoded), empty segments and control characters. Checked on the raw path.
 */
public final class RequestHygiene implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    String why = problemWith(ctx.request().path());
    if (why != null) {
      ctx.fail(Problem.badRequest("path-not-allowed", "The request path " + why + "; send ids as plain path "
          + "segments, e.g. /api/cloudpcs/{cloudPcId}/reprovision.").exception());
      return;
    }
    ctx.next();
  }

  static String problemWith(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return "is not absolute";
    }
    String lower = rawPath.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("\\")) {
      return "contains an encoded slash or a backslash";
    }
    if (lower.contains("%00") || lower.matches(".*%(0[0-9a-f]|1[0-9a-f]|7f).*")) {
      return "contains an encoded control character";
    }
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "contains a control character";
      }
    }
    String[] segments = lower.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String decodedDots = segments[i].replace("%2e", ".");
      if (decodedDots.equals(".") || decodedDots.equals("..")) {
        return "contains a dot segment";
      }
      if (segments[i].isEmpty() && i < segments.length - 1) {
        return "contains an empty segment";
      }
    }
    return null;
  }
}
