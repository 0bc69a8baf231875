package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.request.AuditEvent;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Establishes the {@link Caller} of a request, in this order: a Bearer token (always wins); the Easy Auth principal
 * when the platform vouches for it; a function key alone when the operator opted in. Anything else is a 401.
 */
public final class CallerValidator implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(CallerValidator.class);
  private static final String CALLER = "caller";

  private final TokenVerifier tokens;
  private final CallerOptions options;

  public CallerValidator(TokenVerifier tokens, CallerOptions options) {
    this.tokens = tokens;
    this.options = options;
    if (options.functionKeyCallersAreAdmins()) {
      LOG.warn("AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS=true: a caller that passed the function-key check and sends no "
          + "token acts as an admin application and may reprovision ANY Cloud PC. Every such use is audited. Prefer "
          + "app-role tokens (role '{}') and switch this off when the flows have them.", options.adminRole());
    }
  }

  public static Caller of(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  public static Optional<Caller> ifKnown(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(CALLER));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (PollLinks.isPoller(ctx) && ctx.request().getHeader("Authorization") == null) {
      ctx.next(); // a signed polling link stands in for the caller (see PollLinks); a token still wins
      return;
    }
    authenticate(ctx.request().headers(), RequestScope.of(ctx))
        .onSuccess(caller -> {
          ctx.put(CALLER, caller);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  Future<Caller> authenticate(MultiMap headers, RequestScope scope) {
    String authorization = headers.get("Authorization");
    if (authorization != null) {
      if (authorization.regionMatches(true, 0, "Bearer ", 0, 7) && authorization.length() > 7) {
        return tokens.verify(authorization.substring(7).trim());
      }
      return Future.failedFuture(TokenVerifier.invalid("the Authorization header must be 'Bearer <token>'"));
    }
    String principal = headers.get(EasyAuthPrincipal.HEADER);
    if (principal != null && options.easyAuthEnabled()) {
      try {
        return Future.succeededFuture(EasyAuthPrincipal.parse(principal, options.tenantId(),
            options.audiences()));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    if (options.functionKeyCallersAreAdmins() && scope.keyVerified()) {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put(AuditEvent.EVENT, "function-key-caller");
      fields.put("reason", "a caller with only a function key acts as an admin application "
          + "(AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS=true)");
      AuditEvent.log(Level.WARN, scope, fields);
      return Future.succeededFuture(new Caller(Caller.Kind.FUNCTION_KEY, null, options.tenantId(), null,
          "function-key", Set.of(options.adminRole()), Set.of(), Optional.empty()));
    }
    String why = "no bearer token";
    return Future.failedFuture(Problem.unauthorized("This route needs 'Authorization: Bearer <token>' with an "
            + "Entra ID access token for this API (audience api://" + options.clientId() + ") from tenant "
            + options.tenantId() + ". Applications request it with client credentials and scope api://"
            + options.clientId() + "/.default; users sign in with scope api://" + options.clientId() + "/"
            + options.selfScope() + ".")
        .withHeader("WWW-Authenticate", Problem.bearerChallenge(why))
        .exception());
  }
}
