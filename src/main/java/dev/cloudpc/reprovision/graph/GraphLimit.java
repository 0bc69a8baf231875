package dev.cloudpc.reprovision.graph;

import io.vertx.core.http.HttpMethod;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Windows 365 request types Microsoft limits per app in a tenant (microsoft-graph-docs-contrib,
 * concepts/includes/throttling-windows-365.md, from 2025-09-30): Get Cloud PC, 270 requests per 60 seconds; List
 * Cloud PCs, 90. The page names no other type, so other calls (the reprovision POST, users, user settings) are not
 * paced here; Graph's answer to them is still honoured (429/503 retried after Retry-After).
 */
public enum GraphLimit {
  GET_CLOUD_PC("getCloudPc", "Get Cloud PC", 270),
  LIST_CLOUD_PCS("listCloudPcs", "List Cloud PCs", 90);

  private static final String OWNER = "/(deviceManagement/virtualEndpoint|me|users/[^/?]+)/cloudPCs";
  private static final Pattern LIST = Pattern.compile(OWNER + "/?(\\?.*)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern ONE = Pattern.compile(OWNER + "/[^/?]+(/[^/?]+)?(\\?.*)?", Pattern.CASE_INSENSITIVE);

  private final String key;
  private final String documentedName;
  private final int documentedPerMinute;

  GraphLimit(String key, String documentedName, int documentedPerMinute) {
    this.key = key;
    this.documentedName = documentedName;
    this.documentedPerMinute = documentedPerMinute;
  }

  /** A short name for storage keys, health and logs. */
  public String key() {
    return key;
  }

  /** The request type as Microsoft's page names it. */
  public String documentedName() {
    return documentedName;
  }

  /** Microsoft's per-app limit per 60 seconds: the default of the setting that overrides it. */
  public int documentedPerMinute() {
    return documentedPerMinute;
  }

  /**
   * Which limit a call spends. A GET of a cloudPCs collection lists; a GET of one Cloud PC is a Get, and so, in the
   * strict reading, is a GET of a function bound to one (remote-action results, supported actions): the page does not
   * say it is free, so it is paid for. Delegated (on-behalf-of) reads are charged to the app's budget as well: the
   * page counts "per app or user", and the app's is the one that must not run out.
   */
  public static Optional<GraphLimit> of(GraphCall call) {
    if (call.method() != HttpMethod.GET) {
      return Optional.empty();
    }
    if (LIST.matcher(call.path()).matches()) {
      return Optional.of(LIST_CLOUD_PCS);
    }
    return ONE.matcher(call.path()).matches() ? Optional.of(GET_CLOUD_PC) : Optional.empty();
  }
}
