package dev.cloudpc.reprovision.sandbox;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/** The fixed people and Cloud PCs every sandbox starts with, and the scheme for generated benchmark ones. */
public final class SandboxSeed {

  public static final SandboxUser ADELE =
      new SandboxUser("3f6c2d1e-8a47-4b9c-9e21-5d7a0c4b8f12", "adele.vance@contoso.sandbox", "Adele Vance");
  public static final SandboxUser MEGAN =
      new SandboxUser("7a2e9b4c-1d53-4f86-a0b7-c39e8d2f6a45", "megan.bowen@contoso.sandbox", "Megan Bowen");

  public static final List<String> ADELE_CLOUD_PCS = List.of(
      "a1c3e5f7-0b2d-4e6f-8a1c-3e5f70b2d4e1",
      "a1c3e5f7-0b2d-4e6f-8a1c-3e5f70b2d4e2",
      "a1c3e5f7-0b2d-4e6f-8a1c-3e5f70b2d4e3");
  public static final List<String> MEGAN_CLOUD_PCS = List.of(
      "b2d4f6a8-1c3e-4f70-9b2d-4f6a81c3e5f1",
      "b2d4f6a8-1c3e-4f70-9b2d-4f6a81c3e5f2");

  /** Object id of the function's own service principal (the {@code oid} of its client-credentials tokens). */
  public static final String FUNCTION_SERVICE_PRINCIPAL_ID = "d5a1f0c3-6e28-4b97-8c4d-1f3e7a9b2c60";
  /** The application the banner's admin token claims to come from (an admin script). */
  public static final String ADMIN_CALLER_APP_ID = "e8b3c1d7-4a92-4f05-b6de-93c7a1f2e8b4";
  /** The public client a user signs in with before calling the function (azp/appid of user tokens). */
  public static final String USER_CLIENT_APP_ID = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b";
  /** Client id of the function's system-assigned managed identity. */
  public static final String MANAGED_IDENTITY_CLIENT_ID = "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

  static final String DOMAIN = "contoso.sandbox";
  static final String SERVICE_PLAN = "Cloud PC Enterprise 2vCPU/8GB/128GB";
  static final String PROVISIONING_POLICY = "Sandbox standard policy";

  // Generated ids carry their index in the last group, so lookups need no table (100,000 PCs cost nothing).
  private static final String EXTRA_PC_PREFIX = "c0000000-0000-4000-8000-";
  private static final String EXTRA_USER_PREFIX = "b0000000-0000-4000-8000-";
  private static final String EXTRA_UPN_PREFIX = "bench-user-";

  private SandboxSeed() {
  }

  public static List<SandboxUser> users() {
    return List.of(ADELE, MEGAN);
  }

  public static String extraCloudPcId(int index) {
    return EXTRA_PC_PREFIX + String.format(Locale.ROOT, "%012x", index);
  }

  /** The owner of {@link #extraCloudPcId(int)} with the same index. */
  public static SandboxUser extraUser(int index) {
    return new SandboxUser(EXTRA_USER_PREFIX + String.format(Locale.ROOT, "%012x", index),
        EXTRA_UPN_PREFIX + index + "@" + DOMAIN, "Bench User " + index);
  }

  static OptionalInt extraPcIndex(String id) {
    return hexSuffix(id, EXTRA_PC_PREFIX);
  }

  /** Index of a benchmark user given by object id or UPN. */
  static OptionalInt extraUserIndex(String idOrUpn) {
    OptionalInt byId = hexSuffix(idOrUpn, EXTRA_USER_PREFIX);
    if (byId.isPresent()) {
      return byId;
    }
    String suffix = "@" + DOMAIN;
    if (!idOrUpn.startsWith(EXTRA_UPN_PREFIX) || !idOrUpn.endsWith(suffix)) {
      return OptionalInt.empty();
    }
    String digits = idOrUpn.substring(EXTRA_UPN_PREFIX.length(), idOrUpn.length() - suffix.length());
    if (digits.isEmpty() || digits.length() > 7 || !digits.chars().allMatch(Character::isDigit)
        || (digits.length() > 1 && digits.charAt(0) == '0')) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(digits));
  }

  private static OptionalInt hexSuffix(String id, String prefix) {
    if (id.length() != 36 || !id.startsWith(prefix)) {
      return OptionalInt.empty();
    }
    try {
      long value = Long.parseLong(id.substring(prefix.length()), 16);
      return value <= Integer.MAX_VALUE ? OptionalInt.of((int) value) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
