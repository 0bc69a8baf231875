package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;

/**
 * Who may do what, from the caller's claims: the admin app role acts on any Cloud PC; a user with the self scope acts
 * only on their own (ownership itself is checked against Graph by the reprovision package).
 */
public final class AccessPolicy {
  private final String adminRole;
  private final String selfScope;

  public AccessPolicy(CallerOptions options) {
    this.adminRole = options.adminRole();
    this.selfScope = options.selfScope();
  }

  public boolean isAdmin(Caller caller) {
    return caller.hasRole(adminRole);
  }

  /** A user acting for themself: delegated token with the self scope. */
  public boolean isSelfUser(Caller caller) {
    return caller.isUser() && caller.hasScope(selfScope);
  }

  public void requireAdmin(Caller caller) {
    adminOnly(caller, "This route acts on any Cloud PC and needs the app role '" + adminRole + "'. As a user, use "
        + "/api/me/cloudpcs/{cloudPcId}/reprovision for your own Cloud PC");
  }

  /** Listing every Cloud PC of the tenant: admins only; users are pointed at the list of their own. */
  public void requireAdminToListTenant(Caller caller) {
    adminOnly(caller, "Listing every Cloud PC of the tenant needs the app role '" + adminRole + "'. As a user, list "
        + "your own with GET /api/me/cloudpcs");
  }

  private void adminOnly(Caller caller, String forUsers) {
    if (!isAdmin(caller)) {
      throw refusal(caller.isUser()
          ? forUsers + ", or ask an admin to assign you the app role '" + adminRole + "'."
          : "The calling application lacks the app role '" + adminRole + "'. Assign it to the app registration or "
              + "managed identity (Entra ID → Enterprise applications → this API → Users and groups, or "
              + "New-MgServicePrincipalAppRoleAssignment) and request a new token.");
    }
  }

  /** Admin, or a user with the self scope (who is then limited to their own Cloud PCs). */
  public void requireAdminOrSelfUser(Caller caller) {
    if (!isAdmin(caller) && !isSelfUser(caller)) {
      throw refusal(caller.isUser()
          ? "Your token lacks the delegated scope '" + selfScope + "' (or the app role '" + adminRole
              + "'). Request a token with scope api://<this API>/" + selfScope + "."
          : "The calling application lacks the app role '" + adminRole + "'.");
    }
  }

  /** The me routes name the signed-in user, so only delegated (user) callers can use them. */
  public void requireSelfUser(Caller caller) {
    if (!caller.isUser()) {
      throw refusal("The /api/me/… routes act for the signed-in user and need a delegated user token; an "
          + "application should use /api/cloudpcs/{cloudPcId}/reprovision with the app role '" + adminRole + "'.");
    }
    if (!isSelfUser(caller) && !isAdmin(caller)) {
      throw refusal("Your token lacks the delegated scope '" + selfScope + "'. Request a token with scope "
          + "api://<this API>/" + selfScope + ".");
    }
  }

  public static ProblemException notYours(String what) {
    return Problem.forbidden("not-your-cloud-pc", what + " Users may act only on Cloud PCs assigned to them.")
        .exception();
  }

  private static ProblemException refusal(String detail) {
    return Problem.forbidden("missing-permission", detail).exception();
  }
}
