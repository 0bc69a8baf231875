package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reading and checking path and query parameters; every refusal says what a valid value looks like. */
final class PathParams {
  private static final Pattern UPN = Pattern.compile("^[A-Za-z0-9._%+'!#$&*=?^`{|}~-]{1,113}@[A-Za-z0-9.-]{1,140}$");
  private PathParams() {
  }

  static String cloudPcId(RoutingContext ctx) {
    String id = ctx.pathParam("cloudPcId");
    if (id == null || !Settings.GUID.matcher(id).matches()) {
      throw Problem.badRequest("invalid-cloud-pc-id", "cloudPcId must be the Cloud PC's id, a GUID such as "
          + "3f2504e0-4f89-41d3-9a0c-0305e82c3301 (Intune → Devices → Windows 365), not '" + printable(id) + "'.")
          .with("field", "cloudPcId").exception();
    }
    return id.toLowerCase(Locale.ROOT);
  }

  /** A user's object id (GUID) or user principal name. */
  static String userId(RoutingContext ctx) {
    String userId = ctx.pathParam("userId");
    if (userId == null || !Settings.GUID.matcher(userId).matches() && !UPN.matcher(userId).matches()) {
      throw Problem.badRequest("invalid-user-id", "userId must be the user's object id (a GUID) or their user "
          + "principal name (name@domain), not '" + printable(userId) + "'.").with("field", "userId").exception();
    }
    return userId;
  }

  static boolean flag(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return false;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "" -> true;
      case "false" -> false;
      default -> throw Problem.badRequest("invalid-query-parameter", "Query parameter '" + name + "' must be true "
          + "or false, not '" + printable(value) + "'.").with("field", name).exception();
    };
  }

  /** A caller-supplied value safe to echo in a problem: short, no control characters. */
  static String printable(String value) {
    if (value == null) {
      return "";
    }
    String clean = value.replaceAll("[\\p{Cntrl}]", "?");
    return clean.length() > 64 ? clean.substring(0, 64) + "…" : clean;
  }
}
