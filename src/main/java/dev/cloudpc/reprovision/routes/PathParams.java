package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;
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

  /** An optional query parameter that must be a user principal name (name@domain). */
  static Optional<String> queryUpn(RoutingContext ctx, String name) {
    Optional<String> value = queryText(ctx, name, 254);
    if (value.isPresent() && !UPN.matcher(value.get()).matches()) {
      throw Problem.badRequest("invalid-query-parameter", "Query parameter '" + name + "' must be a user principal "
          + "name (name@domain), not '" + printable(value.get()) + "'.").with("field", name).exception();
    }
    return value;
  }

  /** An optional query parameter of at most {@code maxLength} characters; empty when absent or blank. */
  static Optional<String> queryText(RoutingContext ctx, String name, int maxLength) {
    String value = ctx.request().getParam(name);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    if (value.length() > maxLength || value.chars().anyMatch(Character::isISOControl)) {
      throw Problem.badRequest("invalid-query-parameter", "Query parameter '" + name + "' must be at most "
          + maxLength + " characters without control characters.").with("field", name).exception();
    }
    return Optional.of(value.trim());
  }

  /** An optional whole-number query parameter between {@code min} and {@code max}; {@code absent} when not given. */
  static int queryNumber(RoutingContext ctx, String name, int min, int max, int absent) {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return absent;
    }
    try {
      int number = Integer.parseInt(value.trim());
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw Problem.badRequest("invalid-query-parameter", "Query parameter '" + name + "' must be a whole number from "
        + min + " to " + max + ", not '" + printable(value) + "'.").with("field", name).exception();
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
