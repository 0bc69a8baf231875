package dev.cloudpc.reprovision.sandbox;

import java.util.Locale;

/**
 * The text printed when the local host starts with {@code --sandbox}: enough to try every route by copy-paste, and
 * how to import the sandbox as a Power Platform custom connector.
 */
final class SandboxBanner {

  private final SandboxTenant tenant;

  SandboxBanner(SandboxTenant tenant) {
    this.tenant = tenant;
  }

  String render(String apiBaseUrl, String connectorImport, String adminToken, String userToken) {
    String api = apiBaseUrl.endsWith("/") ? apiBaseUrl.substring(0, apiBaseUrl.length() - 1) : apiBaseUrl;
    String key = tenant.functionKey();
    String adelePc = SandboxSeed.ADELE_CLOUD_PCS.get(0);
    String meganPc = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
    StringBuilder text = new StringBuilder(8 * 1024);
    text.append("=== SANDBOX TENANT (fake Entra ID + Microsoft Graph on loopback; nothing leaves this machine) ===\n")
        .append("tenant:        ").append(tenant.tenantId()).append('\n')
        .append("client id:     ").append(tenant.clientId()).append('\n')
        .append("identity:      ").append(tenant.identityBaseUrl()).append('\n')
        .append("graph:         ").append(tenant.graphBaseUrl()).append('\n')
        .append("rebuild time:  ").append(tenant.options().rebuildTime().toSeconds()).append(" s\n")
        .append("Graph limits:  Get Cloud PC ").append(tenant.options().graphLimits().getPerApp())
        .append(", List Cloud PCs ").append(tenant.options().graphLimits().listPerApp())
        .append(" per 60 s for this app, enforced as Windows 365 does (429 + Retry-After); the function paces itself"
            + " under them — see graphBudget in /api/health\n")
        .append("function key:  ").append(key).append("\n\n")
        .append("Admin token (application caller, role ").append(SandboxTenant.ADMIN_ROLE)
        .append(", valid 12 h):\n").append(adminToken).append("\n\n")
        .append("User token (").append(SandboxSeed.ADELE.displayName()).append(", ")
        .append(SandboxSeed.ADELE.userPrincipalName()).append(", scp ").append(SandboxTenant.SELF_SCOPE)
        .append(", valid 12 h):\n").append(userToken).append("\n\n")
        .append("Cloud PCs:\n");
    for (CloudPcView pc : tenant.graph().cloudPcs()) {
      text.append(String.format(Locale.ROOT, "  %s  %-28s  %-14s  %s%n", pc.id(), pc.userPrincipalName(),
          pc.status(), pc.displayName()));
    }
    text.append("\nReprovision any Cloud PC as admin:\n")
        .append("curl -i -X POST \"").append(api).append("/cloudpcs/").append(meganPc).append("/reprovision\"")
        .append(" -H \"x-functions-key: ").append(key).append('"')
        .append(" -H \"Authorization: Bearer ").append(adminToken).append('"')
        .append(" -H \"Content-Type: application/json\" -d '{\"osVersion\":\"windows11\"}'\n\n")
        .append("Reprovision your own Cloud PC as ").append(SandboxSeed.ADELE.displayName()).append(":\n")
        .append("curl -i -X POST \"").append(api).append("/me/cloudpcs/").append(adelePc).append("/reprovision\"")
        .append(" -H \"x-functions-key: ").append(key).append('"')
        .append(" -H \"Authorization: Bearer ").append(userToken).append("\"\n\n")
        .append("Poll the status:\n")
        .append("curl -i \"").append(api).append("/cloudpcs/").append(meganPc).append('"')
        .append(" -H \"x-functions-key: ").append(key).append('"')
        .append(" -H \"Authorization: Bearer ").append(adminToken).append("\"\n\n")
        .append("List the Cloud PCs to pick from (the connector's pickers read these): ").append(api)
        .append("/me/cloudpcs, ").append(api).append("/users/{userId}/cloudpcs, ").append(api).append("/cloudpcs\n\n")
        .append("Import as a Power Platform custom connector (the definition: ").append(api)
        .append("/openapi.json):\n").append(connectorImport).append('\n');
    return text.toString();
  }
}
