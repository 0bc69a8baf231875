package dev.cloudpc.reprovision.health;

import dev.cloudpc.reprovision.config.AzureCloud;
import dev.cloudpc.reprovision.config.GraphCredentialKind;
import dev.cloudpc.reprovision.config.Settings;
import java.net.URI;

/** What {@link HealthHandler} reports besides its checks: the cloud, tenant, endpoints and Graph credential in use. */
public record HealthOptions(AzureCloud cloud, String tenantId, URI authorityHost, URI openIdConfiguration,
                            URI graphBaseUrl, String graphApiVersion, GraphCredentialKind graphCredential) {

  public static HealthOptions from(Settings settings) {
    return new HealthOptions(settings.cloud(), settings.tenantId(), settings.authorityHost(),
        settings.openIdConfigurationUri(), settings.graphBaseUrl(), settings.graphApiVersion(),
        settings.graphCredential());
  }
}
