package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A Cloud PC as Graph would show it at one instant.
 *
 * @param status       provisioned, provisioning or failed, or whatever a test set ({@code setStatus})
 * @param statusDetail null unless {@code status} is failed
 */
public record CloudPcView(String id, String displayName, String managedDeviceName, String managedDeviceId,
                          String userPrincipalName, String userId, String status, StatusDetail statusDetail,
                          String provisioningPolicyName, String servicePlanName, String osVersion,
                          String userAccountType, Instant lastModifiedDateTime) {

  JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("displayName", displayName)
        .put("imageDisplayName", "Windows 11 Enterprise + Microsoft 365 Apps")
        .put("managedDeviceId", managedDeviceId)
        .put("managedDeviceName", managedDeviceName)
        .put("provisioningPolicyName", provisioningPolicyName)
        .put("provisioningType", "dedicated")
        .put("servicePlanName", servicePlanName)
        .put("servicePlanType", "enterprise")
        .put("status", status)
        .put("statusDetail", statusDetail == null ? null : statusDetail.toJson())
        .put("userPrincipalName", userPrincipalName)
        .put("osVersion", osVersion)
        .put("userAccountType", userAccountType)
        .put("lastModifiedDateTime", lastModifiedDateTime.toString());
  }
}
