package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.http.RequestHygiene;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.ext.web.RoutingContext;

/** Which routes take a body, and of what type. */
final class Bodies {
  private Bodies() {
  }

  /**
   * The body, or null when absent; RequestHygiene already refused any body not sent as application/json, and refuses
   * here one the Functions host dropped.
   */
  static String json(RoutingContext ctx) {
    RequestHygiene.requireDeliveredBody(ctx);
    String body = ctx.body() == null ? null : ctx.body().asString();
    return body == null || body.isBlank() ? null : body;
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
