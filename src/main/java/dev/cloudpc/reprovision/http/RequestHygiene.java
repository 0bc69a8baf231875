package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Refuses, before any route runs, paths that could smuggle another route or resource past the router's matching
 * (encoded slashes or backslashes, dot segments plain or encoded, empty segments, control characters; checked on the
 * raw path), and bodies that are not declared JSON: a form or multipart body would otherwise be parsed away and its
 * fields silently ignored — a PC rebuilt with the wrong options. Also refuses, on the routes that read a body, a body
 * the Functions host announced but did not deliver ({@link #requireDeliveredBody}).
 */
public final class RequestHygiene implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String why = problemWith(request.path());
    if (why != null) {
      ctx.fail(Problem.badRequest("path-not-allowed", "The request path " + why + "; send ids as plain path "
          + "segments, e.g. /api/cloudpcs/{cloudPcId}/reprovision.").exception());
      return;
    }
    String type = request.getHeader("Content-Type");
    if (hasBody(request) && !isJson(type)) {
      ctx.fail(Problem.of(415, "unsupported-media-type", "Unsupported media type", "A body must be sent with "
          + "'Content-Type: application/json'" + (type == null ? "" : ", not '" + mediaType(type) + "'") + ".")
          .exception());
      return;
    }
    ctx.next();
  }

  /**
   * Called by every route that reads a body, before it reads it. The Azure Functions host forwards a request body to
   * the worker only when {@code Content-Length > 0}: a chunked body is dropped while its headers still arrive
   * (azure-functions-host {@code GrpcMessageConversionExtensions.cs}, {@code ToRpcHttp}; issues 4926 and 7930). A
   * reprovision must never run with its options silently lost, so such a request is refused. Only the hand-over
   * from the Functions entry can set the mark (see {@link RequestScopeHandler}): the local host decodes chunked
   * bodies itself and keeps accepting them, and routes that take no body never ask.
   */
  public static void requireDeliveredBody(RoutingContext ctx) {
    if (Boolean.TRUE.equals(ctx.get(Handover.BODY_DROPPED))) {
      throw Problem.of(411, "length-required", "Length required", "The request announced a body "
          + "(Transfer-Encoding: chunked, or a Content-Length) that the Azure Functions host did not deliver: it "
          + "passes a body on only when Content-Length is set. Nothing was sent to Microsoft Graph; send the body "
          + "with Content-Length.").exception();
    }
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    return request.getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
  }

  private static boolean isJson(String contentType) {
    return contentType != null && mediaType(contentType).equalsIgnoreCase("application/json");
  }

  /** The media type without parameters, safe to echo: no control characters, at most 64 characters. */
  private static String mediaType(String contentType) {
    String type = contentType.split(";", 2)[0].trim().replaceAll("\\p{Cntrl}", "?");
    return type.length() > 64 ? type.substring(0, 64) + "…" : type;
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
