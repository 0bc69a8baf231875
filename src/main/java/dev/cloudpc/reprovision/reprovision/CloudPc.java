package dev.cloudpc.reprovision.reprovision;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/** The parts of Graph's cloudPC resource the product decides on. */
public record CloudPc(String id, String displayName, String userPrincipalName, String status,
                      JsonObject statusDetail, String lastModifiedDateTime) {

  /** Statuses in which a reprovision is already under way: sending another would be a second wipe. */
  private static final Set<String> REBUILDING = Set.of("provisioning", "pendingProvision");
  /** Statuses in which another operation owns the PC; Graph would refuse or queue a reprovision. */
  private static final Set<String> BUSY = Set.of("deprovisioning", "resizing", "restoring", "movingRegion",
      "resizePendingLicense", "updatingSingleSignOn", "modifyingSingleSignOn", "notProvisioned");

  static CloudPc from(JsonObject json) {
    return new CloudPc(json.getString("id"), json.getString("displayName"), json.getString("userPrincipalName"),
        json.getString("status"), json.getValue("statusDetail") instanceof JsonObject d ? d : null,
        json.getString("lastModifiedDateTime"));
  }

  public boolean rebuilding() {
    return REBUILDING.contains(status);
  }

  public boolean busy() {
    return BUSY.contains(status);
  }

  public boolean assignedTo(String upn) {
    return userPrincipalName != null && upn != null && userPrincipalName.equalsIgnoreCase(upn);
  }
}
