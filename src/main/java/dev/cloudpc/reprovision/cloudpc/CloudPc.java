package dev.cloudpc.reprovision.cloudpc;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parts of Graph's cloudPC resource the product decides on, and which statuses allow a reprovision.
 *
 * <p>{@code status} is an evolvable enum (api-reference/beta/resources/cloudpc.md, "cloudPcStatus values"): members
 * are added over time, and those after {@code unknownFutureValue} arrive only with
 * {@code Prefer: include-unknown-enum-members}. So the decision is an <b>allowlist</b>: a reprovision is sent only
 * from a status in which Microsoft documents the PC as provisioned (usable, with or without warnings) or as failed
 * (api-reference/beta/api/cloudpc-reprovision.md: reprovisioning rebuilds a provisioned PC; a failed one is what
 * it repairs). Every other value, {@code unknownFutureValue} and values this code has never heard of included, is
 * refused with a reason.
 */
public record CloudPc(String id, String displayName, String userPrincipalName, String status,
                      JsonObject statusDetail, String lastModifiedDateTime, LastRemoteAction lastRemoteAction,
                      Instant readAt) {

  /**
   * What the read ran: the properties decisions rest on, {@code lastRemoteActionResult} included — Graph returns it
   * only when {@code $select} names it (api-reference/beta/api/cloudpc-get.md, example 2). One Get then answers both
   * "may I reprovision" (status) and "is one already under way" (the last remote action).
   */
  public static final String SELECT = "id,displayName,userPrincipalName,status,statusDetail,lastModifiedDateTime,"
      + "lastRemoteActionResult";

  /**
   * The PC's {@code lastRemoteActionResult} as the read returned it: {@code known} is false when the answer did not
   * carry the property at all (then nothing can be concluded from it); {@code action} is null when the PC never had
   * a remote action.
   */
  public record LastRemoteAction(boolean known, RemoteAction action) {
    static final LastRemoteAction UNKNOWN = new LastRemoteAction(false, null);

    static LastRemoteAction from(JsonObject pc) {
      if (!pc.containsKey("lastRemoteActionResult")) {
        return UNKNOWN;
      }
      return new LastRemoteAction(true, pc.getValue("lastRemoteActionResult") instanceof JsonObject action
          ? RemoteAction.from(action) : null);
    }

    /** The last action, when it is a Reprovision with a start time. */
    public Optional<RemoteAction> reprovision() {
      return Optional.ofNullable(action).filter(RemoteAction::isReprovision).filter(a -> a.startDateTime() != null);
    }
  }

  private static final Set<String> REPROVISIONABLE = Set.of("provisioned", "provisionedWithWarnings", "failed");

  /** Why each documented non-reprovisionable status refuses (wording after the cloudPcStatus table). */
  private static final Map<String, String> WHY_NOT = Map.ofEntries(
      Map.entry("notProvisioned", "has not been provisioned yet; there is nothing to rebuild"),
      Map.entry("provisioning", "is being provisioned; wait until it is provisioned (if you requested a reprovision, "
          + "poll its operation URL instead)"),
      Map.entry("pendingProvision", "is waiting for a licence: more Cloud PCs are in their grace period than there "
          + "are licences. Assign or free a Windows 365 licence; a reprovision cannot help until then"),
      Map.entry("inGracePeriod", "is in its grace period before deprovisioning (its licence or assignment was "
          + "removed); restore the assignment or let it deprovision"),
      Map.entry("deprovisioning", "is being deprovisioned"),
      Map.entry("resizing", "is being resized; wait until that finishes"),
      Map.entry("restoring", "is being restored; wait until that finishes"),
      Map.entry("movingRegion", "is being moved to another region; wait until that finishes"),
      Map.entry("resizePendingLicense", "has a resize waiting for a licence; resolve the licensing first"),
      Map.entry("modifyingSingleSignOn", "is updating its single sign-on setting; wait until that finishes"),
      Map.entry("updatingSingleSignOn", "is updating its single sign-on setting; wait until that finishes"),
      Map.entry("refreshPolicyConfiguration", "is refreshing its policy configuration; wait until that finishes"),
      Map.entry("preparing", "is being prepared with the administrator's configuration; wait until that finishes"),
      Map.entry("unknownFutureValue", "has a status Graph reported only as 'unknownFutureValue' (a value newer than "
          + "this API version describes); check the Cloud PC in Intune"));

  /** The PC as Graph showed it to a read sent at {@code readAt}. */
  static CloudPc from(JsonObject json, Instant readAt) {
    return new CloudPc(json.getString("id"), json.getString("displayName"), json.getString("userPrincipalName"),
        json.getValue("status") instanceof String s ? s : null,
        json.getValue("statusDetail") instanceof JsonObject d ? d : null,
        json.getValue("lastModifiedDateTime") instanceof String m ? m : null, LastRemoteAction.from(json), readAt);
  }

  /** Whether Microsoft documents a reprovision as possible from this status. */
  public boolean reprovisionable() {
    return status != null && REPROVISIONABLE.contains(status);
  }

  /** Why the status refuses a reprovision; empty when it allows one. */
  public Optional<String> whyNotReprovisionable() {
    if (reprovisionable()) {
      return Optional.empty();
    }
    if (status == null) {
      return Optional.of("has no status in Graph's answer, so it cannot be shown to be safe to rebuild");
    }
    return Optional.of(WHY_NOT.getOrDefault(status, "has a status this function does not know ('"
        + printable(status) + "'), so it cannot be shown to be safe to rebuild; check the Cloud PC in Intune"));
  }

  public boolean assignedTo(String upn) {
    return userPrincipalName != null && upn != null && userPrincipalName.equalsIgnoreCase(upn);
  }

  /** Graph-chosen text fit for a detail: visible ASCII, at most 64 characters. */
  static String printable(String value) {
    if (value == null) {
      return "";
    }
    String cleaned = value.replaceAll("[^\\x20-\\x7e]", "?");
    return cleaned.length() > 64 ? cleaned.substring(0, 64) + "…" : cleaned;
  }
}
