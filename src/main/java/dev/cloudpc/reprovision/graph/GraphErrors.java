package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;

/**
 * Graph's answers and failures as problems for our caller. Branches on Graph's status and error {@code code}, never on
 * its message; carries Graph's code, message and request-id so an admin can look the call up.
 */
public final class GraphErrors {
  private GraphErrors() {
  }

  /**
   * @param delegated the call used the caller's own (on-behalf-of) token, so a 403 is about the caller, not us
   */
  public static Problem problem(GraphResponse response, boolean delegated, String what) {
    int status = response.status();
    String code = response.errorCode();
    String said = " Graph said: " + code + (response.errorMessage() == null ? "" : " — " + response.errorMessage());
    Problem problem = switch (status) {
      case 400 -> Problem.badRequest("graph-bad-request", "Microsoft Graph refused " + what + "." + said);
      case 404 -> Problem.notFound("graph-not-found", "Microsoft Graph does not know " + what + "." + said);
      case 409 -> Problem.of(409, "graph-conflict", "Conflict", "Microsoft Graph reports a conflict for " + what
          + " (typically an action already running on the Cloud PC); nothing new was started." + said);
      case 429 -> Problem.of(429, "graph-throttled", "Too many requests", "Microsoft Graph is throttling; " + what
          + " was not processed. Try again after the Retry-After interval." + said)
          .withHeader("Retry-After", retryAfterSeconds(response));
      case 503 -> Problem.unavailable("graph-unavailable", "Microsoft Graph is unavailable; " + what
          + " was not processed. Try again after the Retry-After interval." + said,
          Long.parseLong(retryAfterSeconds(response)));
      case 401 -> tokenRefused(delegated, what, said);
      case 403 -> delegated
          ? Problem.forbidden("graph-forbidden", "Microsoft Graph refused " + what + " for you (HTTP " + status
              + "): you may lack the Windows 365 / Intune role needed, or consent is missing." + said)
          : Problem.of(502, "graph-permission-missing", "Function misconfigured", "Microsoft Graph refused the "
              + "function's own identity (HTTP 403) for " + what + ". Grant the application permission "
              + "CloudPC.ReadWrite.All (and User.Read.All) to the function's managed identity or app registration, "
              + "with admin consent; the function renews its token after such a refusal (at most every five "
              + "minutes), so a new consent applies without a restart. This is a server configuration problem, not "
              + "the caller's." + said);
      default -> Problem.of(502, "graph-error", "Bad gateway", "Microsoft Graph failed on " + what + " (HTTP "
          + status + ")." + (response.status() >= 500 ? " It may or may not have acted; check the Cloud PC's "
          + "status before trying again." : "") + said);
    };
    return problem.with("graphStatus", status).with("graphCode", code).with("graphMessage", response.errorMessage())
        .with("graphRequestId", response.requestId());
  }

  /**
   * Graph refused a token fetched after it had refused the previous one (GraphClient renews once): the credential
   * itself is wrong, not a stale token — whichever credential, a server configuration problem.
   */
  private static Problem tokenRefused(boolean delegated, String what, String said) {
    return Problem.of(502, "graph-token-refused", "Function misconfigured", refusedTwice(delegated) + ", so " + what
        + " was not sent again; Graph did not process it (HTTP 401). This is a server configuration problem, not the "
        + "caller's." + said);
  }

  /**
   * The same, answered without a Graph call while no new token may be fetched yet: after a refusal, at most one new
   * token per {@code interval} (GRAPH_TOKEN_MIN_REFETCH_SECONDS), so a credential Graph refuses is not hammered.
   */
  static Problem tokenRefusedRecently(boolean delegated, TokenCache.Refusal refusal, Duration wait,
                                      Duration interval) {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    return Problem.of(502, "graph-token-refused", "Function misconfigured", refusedTwice(delegated) + " (last refused: "
            + "HTTP 401 " + refusal.graphCode() + ", request-id " + refusal.graphRequestId() + "). A new token is "
            + "fetched at most every " + interval.toSeconds() + " s while Graph refuses them "
            + "(GRAPH_TOKEN_MIN_REFETCH_SECONDS), the next in " + seconds + " s, so nothing was sent to Graph. This is "
            + "a server configuration problem, not the caller's.")
        .withHeader("Retry-After", Long.toString(seconds))
        .with("graphStatus", 401).with("graphCode", refusal.graphCode())
        .with("graphRequestId", refusal.graphRequestId());
  }

  private static String refusedTwice(boolean delegated) {
    String credential = delegated
        ? "the token the function obtained on the caller's behalf (GRAPH_CREDENTIAL=on-behalf-of): check "
            + "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"
        : "the function's own token: check GRAPH_CREDENTIAL and its credential — AZURE_CLIENT_ID and "
            + "AZURE_CLIENT_SECRET for client-secret, the managed identity (AZURE_MANAGED_IDENTITY_CLIENT_ID for a "
            + "user-assigned one) for managed-identity";
    return "Microsoft Graph refused " + credential + ", and AZURE_TENANT_ID and GRAPH_BASE_URL (the token's "
        + "audience). It refused a newly issued token too";
  }

  static ProblemException transport(GraphCall call, RequestScope scope, boolean neverSent, boolean timedOut) {
    boolean mayHaveActed = call.method() != HttpMethod.GET && !neverSent;
    String consequence = mayHaveActed
        ? " The request may have reached Graph and acted: check the Cloud PC's status (GET /api/cloudpcs/{id}) "
            + "before trying again."
        : " Nothing was changed; try again shortly.";
    Problem problem;
    if (timedOut) {
      problem = Problem.of(504, "graph-timeout", "Gateway timeout", "Microsoft Graph did not answer "
          + call.method() + " " + call.path() + " within the request's deadline." + consequence);
    } else if (neverSent) {
      problem = Problem.unavailable("graph-unreachable", "Microsoft Graph could not be reached." + consequence, 5);
    } else {
      problem = Problem.of(502, "graph-connection-lost", "Bad gateway", "The connection to Microsoft Graph was lost "
          + "before it answered " + call.method() + " " + call.path() + "." + consequence);
    }
    return problem.with("clientRequestId", scope.clientRequestId()).exception();
  }

  static ProblemException deadlineBeforeSending(GraphCall call, RequestScope scope) {
    return deadline("The request's deadline passed before " + call.method() + " " + call.path()
        + " could be sent to Microsoft Graph; nothing more was sent.", scope);
  }

  static ProblemException deadlineAwaitingToken(GraphCall call, RequestScope scope) {
    return deadline("The request's deadline passed while waiting for the identity provider to issue a Graph token, "
        + "so " + call.method() + " " + call.path() + " was not sent; nothing was changed. Try again shortly.",
        scope);
  }

  private static ProblemException deadline(String detail, RequestScope scope) {
    return Problem.of(504, "deadline-exceeded", "Gateway timeout", detail)
        .with("clientRequestId", scope.clientRequestId()).exception();
  }

  private static String retryAfterSeconds(GraphResponse response) {
    var wait = RetryPolicy.parseRetryAfter(response.retryAfter());
    return Long.toString(wait == null ? 10 : Math.max(1, wait.toSeconds()));
  }
}
