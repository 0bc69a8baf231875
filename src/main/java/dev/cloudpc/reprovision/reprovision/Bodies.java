package dev.cloudpc.reprovision.reprovision;

import dev.cloudpc.reprovision.http.Problem;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** Which routes take a body, and of what type. */
final class Bodies {
  private Bodies() {
  }

  /** A body that must be JSON-typed when present; null when absent. */
  static String json(RoutingContext ctx) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (body == null || body.isBlank()) {
      return null;
    }
    String type = ctx.request().getHeader("Content-Type");
    String mediaType = type == null ? null : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!"application/json".equals(mediaType)) {
      throw Problem.of(415, "unsupported-media-type", "Unsupported media type", "A body must be sent with "
          + "'Content-Type: application/json'" + (type == null ? "" : ", not '" + PathParams.printable(type) + "'")
          + ".").exception();
    }
    return body;
  }

  /** Routes that act on a user's PCs take no body (an empty JSON object is tolerated: many clients send one). */
  static void none(RoutingContext ctx) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (body != null && !body.isBlank() && !body.trim().equals("{}")) {
      throw Problem.badRequest("body-not-allowed", "This route takes no body: the Cloud PC is rebuilt with its "
          + "provisioning policy's settings. To choose osVersion or userAccountType, an admin uses POST "
          + "/api/cloudpcs/{cloudPcId}/reprovision.").exception();
    }
  }
}
